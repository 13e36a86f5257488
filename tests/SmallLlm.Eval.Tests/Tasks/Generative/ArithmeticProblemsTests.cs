using SmallLlm.Eval.Tasks.Generative;

namespace SmallLlm.Eval.Tests.Tasks.Generative;

public class ArithmeticProblemsTests
{
    /// <summary>Seeds and sizes of the bundled files (tasks/arith/SOURCE.md says the same).</summary>
    public static readonly (string File, ulong Seed, int Count)[] Bundled = [("test.jsonl", 1234, 200), ("train.jsonl", 4321, 50)];

    [Fact]
    public void The_bundled_arith_files_are_what_the_seeded_generator_makes()
    {
        foreach (var (file, seed, count) in Bundled)
        {
            string path = Path.Combine(RepoPaths.Tasks, "arith", file);
            string expected = ArithmeticProblems.Jsonl(ArithmeticProblems.Generate(seed, count));
            if (File.Exists(path) && File.ReadAllText(path) == expected) continue;
            string received = Path.ChangeExtension(path, ".received.jsonl");
            File.WriteAllText(received, expected);
            Assert.Fail($"{path} is not what ArithmeticProblems.Generate({seed}, {count}) makes: it is written to {received}; review it and rename it over {path}");
        }
    }

    [Fact]
    public void Every_arith_answer_states_its_sum_or_difference_and_ends_with_it()
    {
        foreach (var p in ArithmeticProblems.Generate(1234, 200))
        {
            var m = System.Text.RegularExpressions.Regex.Match(p.Answer, @"(\d) ([+-]) (\d) = (\d+) \w+\.\n#### (\d+)$");
            Assert.True(m.Success, p.Answer);
            int a = int.Parse(m.Groups[1].Value), b = int.Parse(m.Groups[3].Value), r = int.Parse(m.Groups[4].Value);
            Assert.Equal(m.Groups[2].Value == "+" ? a + b : a - b, r);
            Assert.Equal(r.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[5].Value);
            Assert.True(r >= 0);
        }
    }
}
