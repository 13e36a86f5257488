using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>Our GGUF writer, checked by loading its files back through llama.cpp.</summary>
public sealed class GgufConversionTests
{
    private const double Tolerance = 1e-4;

    [SkippableTheory]
    [InlineData("stories260K.bin", "tok512.bin")]
    [InlineData("hf", "tok512.bin")]
    public void Our_gguf_from_bin_and_hf_matches_llama2c_within_1e4(string source, string? tokenizer)
    {
        var reference = new S260Reference();
        string from = SharedFiles.Get($"{SharedFiles.Stories}/{source}");
        string? tok = tokenizer is null ? null : SharedFiles.Get($"{SharedFiles.Stories}/{tokenizer}");
        string path = GgufFixture.Temp($"from-{source}.gguf");
        GgufConversion.Convert(from, path, GgmlType.F32, tok);
        using var model = LlamaCppModel.Load(path);
        double worst = 0;
        model.ForEachLogits(reference.TokenIds, (t, logits) =>
        {
            for (int j = 0; j < logits.Length; j++)
                worst = Math.Max(worst, Math.Abs(LlamaCppModel.LogSoftmaxAt(logits, j, out _) - reference.LogSoftmax[t][j]));
        });
        Assert.True(worst < Tolerance, $"max |log p - llama2.c| = {worst:E2}");
    }

    [Fact]
    public void Gguf_of_the_bundled_model_scores_and_tokenizes_like_the_torch_engine()
    {
        using var gguf = LlamaCppLanguageModel.Load(GgufFixture.Stories260K());
        using var torch = LocalModelLoader.Load("stories260K");
        const string text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog Max, 42 times!";
        int[] ids = [.. torch.Tokenizer.Encode(text)];
        Assert.Equal(ids, gguf.Engine.Tokenize(text));
        foreach (var (context, continuation) in new[] { ("Question: who?\nAnswer:", " Lily"), ("The dog ran ", "home."), ("", "Once") })
        {
            var (tc, tn) = torch.Prompts.EncodePair(context, continuation);
            var (gc, gn) = gguf.EncodePair(context, continuation);
            Assert.Equal(tc, gc);
            Assert.Equal(tn, gn);
        }

        int[] all = [1, .. ids];
        var request = new ContinuationRequest(all[..1], all[1..]);
        var expected = new TokenScorer(torch.Engine).Loglikelihood([request])[0].TokenLogProbs;
        var actual = gguf.Engine.Loglikelihood([request])[0].TokenLogProbs;
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"token {i}: {actual[i]} vs torch {expected[i]}");
    }

    [Fact]
    public void F16_and_bf16_files_are_half_the_size_and_stay_close()
    {
        var f32 = GgufFile.Read(GgufFixture.Stories260K("f32"));
        foreach (var type in new[] { "f16", "bf16" })
        {
            var s = GgufSummary.Of(GgufFile.Read(GgufFixture.Stories260K(type)));
            Assert.Equal(type, s.FileType);
            Assert.True(s.TensorsPerType[type.ToUpperInvariant()] > 0);
            Assert.InRange(s.BitsPerWeight, 16.0, 17.0); // the 1-D norms stay F32
        }
        using var a = LlamaCppModel.Load(f32.Path);
        using var b = LlamaCppModel.Load(GgufFixture.Stories260K("f16"));
        var req = new ContinuationRequest([1, 403], [407, 261, 378, 432]);
        var x = a.Loglikelihood([req])[0].TokenLogProbs;
        var y = b.Loglikelihood([req])[0].TokenLogProbs;
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) < 0.05, $"token {i}: f16 {y[i]} vs f32 {x[i]}");
    }
}
