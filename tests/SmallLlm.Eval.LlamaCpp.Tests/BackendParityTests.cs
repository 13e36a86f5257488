using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>The same f32 weights through the torch engine and through llama.cpp give the same per-sample answers.</summary>
public sealed class BackendParityTests
{
    [Fact]
    public void Mmlu_arc_and_perplexity_samples_agree_between_torch_and_llamacpp()
    {
        string gguf = GgufFixture.Stories260K();
        string output = GgufFixture.Temp("parity-" + Guid.NewGuid().ToString("N")[..6]);
        string torchOut = Path.Combine(output, "torch"), cppOut = Path.Combine(output, "llamacpp");
        Eval("stories260K", torchOut, null);
        Eval(gguf, cppOut, s => LlamaCppLanguageModel.Load(s.Model));

        foreach (var task in new[] { "mmlu", "arc_easy", "tinystories_ppl" })
        {
            var a = File.ReadAllLines(RunResults.Samples(torchOut, task));
            var b = File.ReadAllLines(RunResults.Samples(cppOut, task));
            Assert.Equal(a.Length, b.Length);
            Assert.True(a.Length >= 3, $"{task}: only {a.Length} samples");
            for (int i = 0; i < a.Length; i++)
                AssertSame(JsonDocument.Parse(a[i]).RootElement, JsonDocument.Parse(b[i]).RootElement, $"{task} sample {i}");
            var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(cppOut, task))).RootElement;
            Assert.Equal("llamacpp", result.GetProperty("model").GetProperty("backend").GetString());
        }
    }

    /// <summary>What `smalleval eval --tasks mmlu,arc_easy,tinystories_ppl --limit 3 --subjects ... --no-cache` runs, through the library.</summary>
    private static void Eval(string model, string output, Func<EvalJobSpec, ILanguageModel>? load)
    {
        var settings = new TaskSettings { Limit = 3, Options = new Dictionary<string, string> { ["subjects"] = "abstract_algebra,anatomy" } };
        EvalJob.Run(new EvalJobSpec
        {
            Model = model,
            Tasks = ["mmlu", "arc_easy", "tinystories_ppl"],
            TasksDirectory = ProjectPaths.TasksDirectory(null),
            OutputDirectory = output,
            SettingsFor = _ => settings,
            LoadModel = load,
        }, TextWriter.Null, _ => IProgressSink.None);
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
