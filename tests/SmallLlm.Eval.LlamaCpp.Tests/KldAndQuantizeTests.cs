using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>
/// A random-weight model (a small stories-like shape whose rows fit q8_0/q4_0 blocks) written as GGUF f32, quantized by
/// llama.cpp, and compared with `smalleval kld`.
/// </summary>
public sealed class KldAndQuantizeTests
{
    private static readonly Lazy<string> RandomF32 = new(() =>
    {
        string path = GgufFixture.Temp("random-f32.gguf");
        var config = RandomWeights.Stories(128, 2, 4, vocab: 512, context: 256);
        using var weights = RandomWeights.Create(config, ModelDType.Float32);
        var vocabulary = GgufVocabularies.From(LocalLanguageModel.ResolveTokenizer("stories260K", null), null);
        GgufCheckpointWriter.Write(weights, vocabulary, path, GgmlType.F32, "random");
        return path;
    });

    private static string Quantized(string type)
    {
        string path = GgufFixture.Temp($"random-{type}.gguf");
        var run = CliRun.InProcess("quantize", "--from", RandomF32.Value, "--to", path, "--type", type);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(type, GgufSummary.Of(GgufFile.Read(path)).FileType);
        return path;
    }

    private static System.Text.Json.JsonElement Kld(string a, string b)
    {
        var run = CliRun.InProcess("kld", "--base", a, "--model", b, "--limit", "2", "--json", "-o", GgufFixture.Temp("kld-results"));
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json();
    }

    [Fact]
    public void Kld_of_a_model_with_itself_is_zero_and_grows_as_bits_drop()
    {
        var self = Kld(RandomF32.Value, RandomF32.Value);
        Assert.Equal(0.0, self.GetProperty("mean_kld").GetDouble());
        Assert.Equal(1.0, self.GetProperty("top1_agreement").GetDouble());
        Assert.Equal(self.GetProperty("ppl_base").GetDouble(), self.GetProperty("ppl_model").GetDouble());

        string q8 = Quantized("q8_0"), q4 = Quantized("q4_0");
        Assert.True(new FileInfo(q4).Length < new FileInfo(q8).Length && new FileInfo(q8).Length < new FileInfo(RandomF32.Value).Length);
        double k8 = Kld(RandomF32.Value, q8).GetProperty("mean_kld").GetDouble();
        var r4 = Kld(RandomF32.Value, q4);
        double k4 = r4.GetProperty("mean_kld").GetDouble();
        Assert.True(k8 > 0 && k8 < k4, $"q8_0 mean KLD {k8:E3} should be above 0 and below q4_0's {k4:E3}");
        Assert.True(k8 < 1e-3, $"q8_0 mean KLD {k8:E3} is not small");
        Assert.True(r4.GetProperty("kld_p99").GetDouble() >= k4 * 0.5);

        // The gate: q4_0 passes a threshold above its KLD and fails one below it.
        string[] args = ["kld", "--base", RandomF32.Value, "--model", q4, "--limit", "2", "--json", "-o", GgufFixture.Temp("kld-results")];
        Assert.Equal(0, CliRun.InProcess([.. args, "--max-mean-kld", (k4 * 2).ToString("R"), "--min-top1-agreement", "0"]).ExitCode);
        var fail = CliRun.InProcess([.. args, "--max-mean-kld", (k4 / 2).ToString("R")]);
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("check failed: mean_kld", fail.Stderr);
        Assert.Contains("beyond the limit", fail.Stderr);
    }

    [Fact]
    public void Kld_between_the_torch_engine_and_its_own_gguf_is_float_noise()
    {
        var r = Kld("stories260K", GgufFixture.Stories260K());
        Assert.True(r.GetProperty("mean_kld").GetDouble() < 1e-8, r.ToString());
        Assert.Equal(1.0, r.GetProperty("top1_agreement").GetDouble());
        Assert.Equal(r.GetProperty("ppl_base").GetDouble(), r.GetProperty("ppl_model").GetDouble(), 1e-4);
    }
}
