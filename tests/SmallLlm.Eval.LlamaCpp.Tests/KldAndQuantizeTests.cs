using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Kld;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>
/// A random-weight model (a small stories-like shape whose rows fit q8_0/q4_0 blocks) written as GGUF f32, quantized by
/// llama.cpp, and compared with the KLD comparison `smalleval kld` runs.
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
        var summary = GgufQuantizer.Quantize(RandomF32.Value, path, type);
        Assert.Equal(type, summary.FileType);
        Assert.Equal(type, GgufSummary.Of(GgufFile.Read(path)).FileType);
        return path;
    }

    private static ITokenDistributions Open(string model) => GgufFile.LooksLikeGguf(model)
        ? new LlamaCppTokenDistributions(LlamaCppLanguageModel.Load(model))
        : new TorchTokenDistributions(LocalLanguageModel.Load(model));

    /// <summary>`smalleval kld --base A --model B --limit 2` through the library.</summary>
    private static KldSummary Kld(string a, string b)
    {
        using var baseModel = Open(a);
        using var model = Open(b);
        return KldComparison.Run(baseModel, model, KldCorpus.Read(null, ProjectPaths.TasksDirectory(null)), 2).Overall;
    }

    [Fact]
    public void Kld_of_a_model_with_itself_is_zero_and_grows_as_bits_drop()
    {
        var self = Kld(RandomF32.Value, RandomF32.Value);
        Assert.Equal(0.0, self.MeanKld);
        Assert.Equal(1.0, self.Top1Agreement);
        Assert.Equal(self.PplBase, self.PplModel);

        string q8 = Quantized("q8_0"), q4 = Quantized("q4_0");
        Assert.True(new FileInfo(q4).Length < new FileInfo(q8).Length && new FileInfo(q8).Length < new FileInfo(RandomF32.Value).Length);
        double k8 = Kld(RandomF32.Value, q8).MeanKld;
        var r4 = Kld(RandomF32.Value, q4);
        Assert.True(k8 > 0 && k8 < r4.MeanKld, $"q8_0 mean KLD {k8:E3} should be above 0 and below q4_0's {r4.MeanKld:E3}");
        Assert.True(k8 < 1e-3, $"q8_0 mean KLD {k8:E3} is not small");
        Assert.True(r4.P99 >= r4.MeanKld * 0.5);
    }

    [Fact]
    public void Kld_between_the_torch_engine_and_its_own_gguf_is_float_noise()
    {
        var r = Kld("stories260K", GgufFixture.Stories260K());
        Assert.True(r.MeanKld < 1e-8, r.ToString());
        Assert.Equal(1.0, r.Top1Agreement);
        Assert.Equal(r.PplBase, r.PplModel, 1e-4);
    }
}
