using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>
/// Shared contexts decoded once and forked with the KV-cache sequence copy give the same log-likelihoods as decoding
/// every request whole (within 1e-5), while running fewer tokens through llama.cpp.
/// </summary>
public sealed class SharedPrefixForkTests
{
    private static readonly LlamaCppOptions Whole = new() { SharedPrefixTokens = 0 };

    [SkippableFact]
    public void Forked_contexts_score_like_whole_requests_and_like_llama2c()
    {
        var reference = new S260Reference();
        string path = SharedFiles.Get($"{SharedFiles.Stories}/stories260K.gguf");
        var ids = reference.TokenIds;
        // Three contexts with four continuations each (multiple choice), and two that share only a 20-token prefix.
        var requests = new List<ContinuationRequest>();
        foreach (int split in new[] { 18, 22, 25 })
            for (int c = 0; c < 4; c++) requests.Add(new ContinuationRequest(ids[..split], ids[split..Math.Min(ids.Length, split + 2 + c)]));
        requests.Add(new ContinuationRequest(ids[..21], ids[21..24]));
        requests.Add(new ContinuationRequest([.. ids[..20], 300, 301], [302, 303]));
        requests.Reverse(); // grouping must not depend on the order requests arrive in

        using var forked = LlamaCppModel.Load(path, new LlamaCppOptions { MaxSequences = 8, BatchTokens = 128 });
        using var whole = LlamaCppModel.Load(path, Whole with { MaxSequences = 8, BatchTokens = 128 });
        var a = forked.Loglikelihood(requests);
        var b = whole.Loglikelihood(requests);
        Assert.True(forked.TokensProcessed < whole.TokensProcessed / 2, $"forked {forked.TokensProcessed} tokens, whole {whole.TokensProcessed}");
        for (int r = 0; r < requests.Count; r++)
        {
            Assert.Equal(b[r].IsGreedy, a[r].IsGreedy);
            for (int j = 0; j < requests[r].Continuation.Length; j++)
            {
                Assert.True(Math.Abs(a[r].TokenLogProbs[j] - b[r].TokenLogProbs[j]) <= 1e-5, $"request {r} token {j}: forked {a[r].TokenLogProbs[j]}, whole {b[r].TokenLogProbs[j]}");
                if (requests[r].Context[^1] == 301) continue; // made-up tokens: not in the reference
                int pos = requests[r].Context.Length - 1 + j;
                Assert.True(Math.Abs(a[r].TokenLogProbs[j] - reference.LogSoftmax[pos][ids[pos + 1]]) < 1e-4, $"request {r} token {j} vs llama2.c");
            }
        }
    }

    [SkippableTheory]
    [InlineData("arc_easy", 3, null)]
    [InlineData("mmlu", 2, "abstract_algebra,virology")]
    public void Few_shot_task_loglikelihoods_with_and_without_forking_agree_within_1e5(string taskName, int shots, string? subjects)
    {
        string path = SharedFiles.Get($"{SharedFiles.Stories}/stories260K.gguf");
        using var forked = LlamaCppLanguageModel.Load(path);
        using var whole = LlamaCppLanguageModel.Load(path, Whole);
        var task = TaskRegistry.Load(ProjectPaths.TasksDirectory(null)).Create(taskName);
        var settings = new TaskSettings
        {
            NumFewshot = shots, Limit = 4,
            Options = subjects is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["subjects"] = subjects },
        };
        var requests = task.Plan(forked, settings).Requests.Cast<LoglikelihoodRequest>().ToList();
        var a = forked.Loglikelihood(requests, IProgressSink.None);
        var b = whole.Loglikelihood(requests, IProgressSink.None);
        Assert.True(forked.EngineTokens < whole.EngineTokens / 2, $"forked {forked.EngineTokens} tokens, whole {whole.EngineTokens}");
        for (int i = 0; i < requests.Count; i++)
        {
            // 1e-5, relative beyond 1: a sum of float32 log-probabilities from differently shaped batches.
            Assert.True(Math.Abs(a[i].LogLikelihood - b[i].LogLikelihood) <= 1e-5 * Math.Max(1, Math.Abs(b[i].LogLikelihood)),
                $"request {i}: forked {a[i].LogLikelihood}, whole {b[i].LogLikelihood}");
            Assert.Equal(b[i].IsGreedy, a[i].IsGreedy);
            Assert.Equal(b[i].Tokens, a[i].Tokens);
        }
    }
}
