using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>
/// Few-shot MMLU and ARC on the bundled model: every request's log-likelihood with the shared few-shot prefix run once
/// (and kept across the runner's chunks) equals scoring each whole prompt, within 1e-5 in fp32.
/// </summary>
public class PrefixReuseTaskTests
{
    [Theory]
    [InlineData("mmlu", 2, "abstract_algebra,marketing,virology")]
    [InlineData("arc_easy", 3, null)]
    [InlineData("arc_challenge", 2, null)]
    public void Few_shot_loglikelihoods_with_and_without_reuse_agree_within_1e5(string taskName, int shots, string? subjects)
    {
        using var model = LocalModelLoader.Load("stories260K", new LocalModelOptions { Scoring = new ScoringOptions { MinSharedPrefix = int.MaxValue } });
        using var reusing = LocalModelLoader.Load("stories260K", new LocalModelOptions { Scoring = new ScoringOptions() });
        var task = TaskRegistry.Load(RepoPaths.Tasks).Create(taskName);
        var settings = new TaskSettings
        {
            NumFewshot = shots, Limit = subjects is null ? 12 : 4,
            Options = subjects is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["subjects"] = subjects },
        };
        var requests = task.Plan(model, settings).Requests.Cast<LoglikelihoodRequest>().ToList();

        // Chunks of 10 as the runner commits them: with reuse, later chunks continue from prefixes kept by earlier ones.
        var whole = new CachingLanguageModel(model, cache: null, chunkSize: 10).Loglikelihood(requests, IProgressSink.None);
        long wholeTokens = model.Scorer.TokensWithoutPadding;

        var reused = new CachingLanguageModel(reusing, cache: null, chunkSize: 10).Loglikelihood(requests, IProgressSink.None);
        Assert.True(reusing.Scorer.PrefixesComputed > 0, "no few-shot prefix was reused");
        Assert.True(reusing.Scorer.TokensWithoutPadding < wholeTokens, $"{reusing.Scorer.TokensWithoutPadding} tokens with reuse, {wholeTokens} without");

        for (int i = 0; i < requests.Count; i++)
        {
            // 1e-5, relative beyond 1: a sum of ~100 nats in float32 differs by that much with the order of a matmul's sums.
            Assert.True(Math.Abs(whole[i].LogLikelihood - reused[i].LogLikelihood) <= 1e-5 * Math.Max(1, Math.Abs(whole[i].LogLikelihood)),
                $"request {i}: {reused[i].LogLikelihood} with reuse, {whole[i].LogLikelihood} without");
            Assert.Equal(whole[i].IsGreedy, reused[i].IsGreedy);
        }
    }

    [Fact]
    public void Counted_tokens_are_what_a_run_computes()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var task = TaskRegistry.Load(RepoPaths.Tasks).Create("mmlu");
        var settings = new TaskSettings { NumFewshot = 2, Limit = 5, Options = new Dictionary<string, string> { ["subjects"] = "marketing,virology" } };
        var count = TaskTokenCounter.Count(model, task, settings, chunkSize: 16);
        Assert.True(count.TokensWithReuse < count.TokensWithoutReuse, $"{count.TokensWithReuse} with reuse, {count.TokensWithoutReuse} without");

        string output = RepoPaths.Temp("count");
        try
        {
            using var reusing = LocalModelLoader.Load("stories260K", new LocalModelOptions { Scoring = new ScoringOptions() });
            new EvalRunner(reusing, cache: null, _ => IProgressSink.None, commitEvery: 16).Run(task, settings, output);
            Assert.Equal(count.TokensWithReuse, reusing.Scorer.TokensWithoutPadding);
            using var whole = LocalModelLoader.Load("stories260K", new LocalModelOptions { Scoring = new ScoringOptions { MinSharedPrefix = int.MaxValue } });
            new EvalRunner(whole, cache: null, _ => IProgressSink.None, commitEvery: 16).Run(task, settings, output);
            Assert.Equal(count.TokensWithoutReuse, whole.Scorer.TokensWithoutPadding);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
