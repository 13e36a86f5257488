using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>A remote model's log-likelihoods against the in-process engine's for the same requests: within 1e-5 (float32
/// sums of differently batched passes) and the same is-greedy.</summary>
public static class ScoreComparison
{
    public static void AssertSameAsEngine(ILanguageModel engine, ILanguageModel remote, IReadOnlyList<LoglikelihoodRequest> requests)
    {
        var expected = engine.Loglikelihood(requests, IProgressSink.None);
        var got = remote.Loglikelihood(requests, IProgressSink.None);
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.True(Math.Abs(expected[i].LogLikelihood - got[i].LogLikelihood) <= 1e-5, $"request {i}: remote {got[i].LogLikelihood}, engine {expected[i].LogLikelihood}");
            Assert.Equal(expected[i].IsGreedy, got[i].IsGreedy);
        }
    }
}
