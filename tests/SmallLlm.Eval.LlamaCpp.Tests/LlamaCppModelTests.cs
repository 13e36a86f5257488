using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>llama.cpp through our backend on the third-party stories260K GGUF, against llama2.c's reference output.</summary>
public sealed class LlamaCppModelTests
{
    private const double Tolerance = 1e-4;

    [SkippableFact]
    public void Full_distributions_of_the_third_party_gguf_match_llama2c_within_1e4()
    {
        var reference = new S260Reference();
        using var model = LlamaCppModel.Load(SharedFiles.Get($"{SharedFiles.Stories}/stories260K.gguf"));
        double worst = 0;
        model.ForEachLogits(reference.TokenIds, (t, logits) =>
        {
            double lse = LogSumExp(logits);
            for (int j = 0; j < logits.Length; j++) worst = Math.Max(worst, Math.Abs(logits[j] - lse - reference.LogSoftmax[t][j]));
        });
        Assert.True(worst < Tolerance, $"max |log p - llama2.c| = {worst:E2}");
    }

    [SkippableFact]
    public void Batched_continuation_scores_equal_the_single_sequence_ones()
    {
        var reference = new S260Reference();
        using var model = LlamaCppModel.Load(SharedFiles.Get($"{SharedFiles.Stories}/stories260K.gguf"), new LlamaCppOptions { MaxSequences = 4, BatchTokens = 64 });
        var ids = reference.TokenIds;
        // Many sequences in one llama_decode, split at different points; each scored token must equal the reference.
        var requests = Enumerable.Range(1, 20).Select(k => new ContinuationRequest(ids[..k], ids[k..Math.Min(ids.Length, k + 5)])).ToList();
        var scores = model.Loglikelihood(requests);
        for (int r = 0; r < requests.Count; r++)
            for (int j = 0; j < requests[r].Continuation.Length; j++)
            {
                int pos = requests[r].Context.Length - 1 + j;
                double expected = reference.LogSoftmax[pos][ids[pos + 1]];
                Assert.True(Math.Abs(scores[r].TokenLogProbs[j] - expected) < Tolerance, $"request {r} token {j}: {scores[r].TokenLogProbs[j]} vs {expected}");
            }
        Assert.Equal(20, scores.Count);
    }

    private static double LogSumExp(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        double s = 0;
        foreach (var v in x) s += Math.Exp(v - max);
        return max + Math.Log(s);
    }
}
