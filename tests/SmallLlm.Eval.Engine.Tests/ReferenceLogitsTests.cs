using System.Text.Json;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Our engine against llama2.c's reference output for stories260K.</summary>
public class ReferenceLogitsTests
{
    private const double LogitTolerance = 1e-4;   // independent fp32 engines agree to 2.5e-5
    private const double MeanNllTolerance = 1e-5;

    [SkippableTheory]
    [InlineData("models/stories260K/stories260K.bin")]
    [InlineData("models/stories260K/hf")]
    public void Fp32_logits_match_llama2c_at_every_position(string checkpoint)
    {
        var reference = new Stories260KReference();
        using var model = new LlamaModel(CheckpointLoader.Load(SharedFiles.Get(checkpoint)));
        var logits = TestModels.FullLogits(model, reference.TokenIds);
        Assert.True(TestModels.MaxAbsDiff(logits, reference.Logits) < LogitTolerance,
            $"max |logit - reference| = {TestModels.MaxAbsDiff(logits, reference.Logits):E3}, tolerance {LogitTolerance}");
    }

    [SkippableTheory]
    [InlineData("models/stories260K/stories260K.bin")]
    [InlineData("models/stories260K/hf")]
    public void Mean_nll_matches_reference(string checkpoint)
    {
        var reference = new Stories260KReference();
        using var model = new LlamaModel(CheckpointLoader.Load(SharedFiles.Get(checkpoint)));
        var ids = reference.TokenIds;
        var score = new TokenScorer(model).Loglikelihood([new ContinuationRequest(ids[..1], ids[1..])])[0];
        double meanNll = -score.LogProb / (ids.Length - 1);
        Assert.InRange(meanNll, reference.MeanNll - MeanNllTolerance, reference.MeanNll + MeanNllTolerance);
        Assert.Equal(0.1768175, meanNll, 1e-5);
        for (int i = 0; i < reference.PerPositionNll.Length; i++)
            Assert.InRange(-score.TokenLogProbs[i], reference.PerPositionNll[i] - 1e-4, reference.PerPositionNll[i] + 1e-4);
    }

    [SkippableFact]
    public void Bundled_model_is_the_same_checkpoint()
    {
        var reference = new Stories260KReference();
        using var model = new LlamaModel(BundledModel.Stories260K.Load(ModelDType.Float32));
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(model, reference.TokenIds), reference.Logits) < LogitTolerance);
    }

    [SkippableTheory]
    [InlineData("models/stories260K/stories260K.bin")]
    [InlineData("models/stories260K/hf")]
    public void Greedy_generation_from_bos_reproduces_golden_200_tokens(string checkpoint)
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(SharedFiles.Get($"{SharedFiles.Stories}/golden_greedy_bos_200steps.json")));
        int[] expected = golden.RootElement.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        using var model = new LlamaModel(CheckpointLoader.Load(SharedFiles.Get(checkpoint)));
        var result = new TokenGenerator(model).Generate([1], new GenerationSettings { MaxNewTokens = expected.Length });
        Assert.Equal(expected, result.Tokens);
    }

    [SkippableFact]
    public void Bf16_stays_close_to_fp32()
    {
        var reference = new Stories260KReference();
        using var model = new LlamaModel(CheckpointLoader.Load(SharedFiles.Get($"{SharedFiles.Stories}/stories260K.bin"), ModelDType.BFloat16));
        var ids = reference.TokenIds;
        var score = new TokenScorer(model).Loglikelihood([new ContinuationRequest(ids[..1], ids[1..])])[0];
        double meanNll = -score.LogProb / (ids.Length - 1);
        // bf16 keeps 8 bits of mantissa: llama2.c's reference saw logits move by up to 0.43; the mean NLL moves far less.
        Assert.InRange(meanNll, reference.MeanNll - 0.05, reference.MeanNll + 0.05);
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(model, ids), reference.Logits) < 0.6);
    }
}
