using System.Text.Json;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>The same f32 weights through the torch engine and through llama.cpp give the same per-sample answers.</summary>
public sealed class BackendParityTests
{
    [Fact]
    public void Mmlu_arc_and_perplexity_samples_agree_between_torch_and_llamacpp()
    {
        string gguf = GgufFixture.Stories260K();
        string output = GgufFixture.Temp("parity-" + Guid.NewGuid().ToString("N")[..6]);
        var common = new[] { "--tasks", "mmlu,arc_easy,tinystories_ppl", "--limit", "3", "--subjects", "abstract_algebra,anatomy", "-o", output, "--no-cache" };
        var torch = CliRun.InProcess(["eval", "-m", "stories260K", .. common]);
        Assert.True(torch.ExitCode == 0, torch.ToString());
        var cpp = CliRun.InProcess(["eval", "-m", gguf, .. common]);
        Assert.True(cpp.ExitCode == 0, cpp.ToString());

        foreach (var task in new[] { "mmlu", "arc_easy", "tinystories_ppl" })
        {
            var a = File.ReadAllLines(Path.Combine(output, "stories260K", task + ".samples.jsonl"));
            var b = File.ReadAllLines(Path.Combine(output, Path.GetFileName(gguf), task + ".samples.jsonl"));
            Assert.Equal(a.Length, b.Length);
            Assert.True(a.Length >= 3, $"{task}: only {a.Length} samples");
            for (int i = 0; i < a.Length; i++)
                AssertSame(JsonDocument.Parse(a[i]).RootElement, JsonDocument.Parse(b[i]).RootElement, $"{task} sample {i}");
            var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, Path.GetFileName(gguf), task + ".json"))).RootElement;
            Assert.Equal("llamacpp", result.GetProperty("model").GetProperty("backend").GetString());
        }
    }

    /// <summary>Strings and booleans (predictions, targets, correctness) equal; numbers within 1e-4 relative.</summary>
    private static void AssertSame(JsonElement x, JsonElement y, string where)
    {
        Assert.Equal(x.ValueKind, y.ValueKind);
        switch (x.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in x.EnumerateObject()) AssertSame(p.Value, y.GetProperty(p.Name), $"{where}.{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.Equal(x.GetArrayLength(), y.GetArrayLength());
                for (int i = 0; i < x.GetArrayLength(); i++) AssertSame(x[i], y[i], $"{where}[{i}]");
                break;
            case JsonValueKind.Number:
                double u = x.GetDouble(), v = y.GetDouble();
                Assert.True(Math.Abs(u - v) <= 1e-4 * Math.Max(1, Math.Abs(u)), $"{where}: torch {u} vs llama.cpp {v}");
                break;
            default:
                Assert.True(x.ToString() == y.ToString(), $"{where}: torch '{x}' vs llama.cpp '{y}'");
                break;
        }
    }
}
