using System.Reflection;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.TestSupport;

/// <summary>
/// One naming style for tests, checked in every test project (TestSupport is compiled into each): a test's name is a
/// sentence, its words joined by underscores, as in A_hanging_program_is_killed_at_the_timeout. Names and acronyms
/// keep their capitals (BMP, NaN, HellaSwag); three or more capitalised words run together are the other style.
/// </summary>
public partial class TestNamingTests
{
    [Fact]
    public void Every_test_is_named_as_a_sentence()
    {
        var wrong = typeof(TestNamingTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any() && !IsSentence(m.Name))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(wrong.Count == 0, $"test names that are not sentences (Words_joined_by_underscores): {string.Join(", ", wrong)}");
    }

    private static bool IsSentence(string name) => name.Contains('_') && !name.Split('_').Skip(1).Any(w => WordStart().Count(w) >= 2);

    /// <summary>Where a capitalised word follows another inside one underscore-separated part (AsLmEval: two).</summary>
    [GeneratedRegex("(?=[a-z0-9][A-Z][a-z])")]
    private static partial Regex WordStart();
}
