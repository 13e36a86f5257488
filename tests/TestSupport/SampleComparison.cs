using System.Text.Json;

namespace SmallLlm.Eval.TestSupport;

/// <summary>Compares two runs' per-sample files: same documents, same predictions and generations, numbers within tolerance.</summary>
public static class SampleComparison
{
    /// <summary>Numbers agree within 1e-5 absolute plus 1e-6 relative: a sum of several hundred float32
    /// log-probabilities accumulates ~1e-7 per token from differently shaped (batched) matrix products.</summary>
    public static void AssertSame(string expectedFile, string actualFile)
    {
        var expected = File.ReadAllLines(expectedFile);
        var actual = File.ReadAllLines(actualFile);
        Assert.True(expected.Length == actual.Length, $"{actualFile}: {actual.Length} samples, expected {expected.Length}");
        Assert.True(expected.Length > 0, $"{expectedFile} has no samples");
        for (int i = 0; i < expected.Length; i++)
            Same(JsonDocument.Parse(expected[i]).RootElement, JsonDocument.Parse(actual[i]).RootElement, $"{Path.GetFileName(actualFile)}:{i + 1}");
    }

    public static void AssertSameJson(string expected, string actual, string where) =>
        Same(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(actual).RootElement, where);

    private static void Same(JsonElement a, JsonElement b, string where)
    {
        Assert.True(a.ValueKind == b.ValueKind, $"{where}: {a.ValueKind} vs {b.ValueKind}");
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names, b.EnumerateObject().Select(p => p.Name).ToList());
                foreach (var n in names) Same(a.GetProperty(n), b.GetProperty(n), $"{where}.{n}");
                break;
            case JsonValueKind.Array:
                Assert.True(a.GetArrayLength() == b.GetArrayLength(), $"{where}: lengths differ");
                for (int i = 0; i < a.GetArrayLength(); i++) Same(a[i], b[i], $"{where}[{i}]");
                break;
            case JsonValueKind.Number:
                double x = a.GetDouble(), y = b.GetDouble();
                Assert.True(Math.Abs(x - y) <= 1e-5 + 1e-6 * Math.Abs(x), $"{where}: {x} vs {y}");
                break;
            default:
                Assert.True(a.GetRawText() == b.GetRawText(), $"{where}: {a.GetRawText()} vs {b.GetRawText()}");
                break;
        }
    }
}
