using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Shared-prefix KV reuse gives the same log-likelihoods as scoring every context whole, and costs fewer tokens.</summary>
public class PrefixReuseTests
{
    private static readonly ScoringOptions NoReuse = new() { MinSharedPrefix = int.MaxValue };

    /// <summary>Nested prefixes: a long block A shared by all, then B shared by some and C by others, then short tails.</summary>
    private static List<ContinuationRequest> NestedPrefixRequests(int vocab, int seed = 3)
    {
        var rng = new Random(seed);
        int[] Run(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(2, vocab)).ToArray();
        int[] a = [1, .. Run(40)], b = Run(24), c = Run(30);
        var requests = new List<ContinuationRequest>();
        for (int i = 0; i < 6; i++)
        {
            int[] tail = Run(1 + rng.Next(12));
            int[] context = i % 3 == 0 ? [.. a, .. tail] : i % 3 == 1 ? [.. a, .. b, .. tail] : [.. a, .. b, .. c, .. tail];
            requests.Add(new ContinuationRequest(context, Run(1)));       // single token (read at the context's end)
            requests.Add(new ContinuationRequest(context, Run(1)));
            requests.Add(new ContinuationRequest(context, Run(2 + rng.Next(4)))); // several tokens on top of the suffix
        }
        requests.Add(new ContinuationRequest([.. a, .. b], Run(3)));      // a context that is another's prefix
        requests.Add(new ContinuationRequest([1, .. Run(20)], Run(2)));  // shares only BOS: the plain path
        return requests;
    }

    [Fact]
    public void Nested_prefixes_score_as_whole_contexts_within_1e5()
    {
        using var model = TestModels.Random(TestModels.Tiny(context: 128));
        var requests = NestedPrefixRequests(64);
        using var plain = new TokenScorer(model, NoReuse);
        using var reused = new TokenScorer(model, new ScoringOptions { MaxBatchRows = 3, MaxBatchTokens = 64, MinSharedPrefix = 16 });
        var expected = plain.Loglikelihood(requests);
        var actual = reused.Loglikelihood(requests);
        AssertSame(expected, actual, 1e-5);
        Assert.True(reused.PrefixesComputed >= 1, "no prefix was reused");
        Assert.True(reused.TokensWithoutPadding < plain.TokensWithoutPadding,
            $"reuse ran {reused.TokensWithoutPadding} tokens, no reuse {plain.TokensWithoutPadding}");
    }

    [Fact]
    public void Prefixes_kept_between_calls_and_evicted_under_a_budget_still_score_the_same()
    {
        using var model = TestModels.Random(TestModels.Tiny(context: 128));
        var requests = NestedPrefixRequests(64, seed: 11);
        using var plain = new TokenScorer(model, NoReuse);
        var expected = plain.Loglikelihood(requests);
        long kvPerToken = ModelStatistics.Of(model.Config, ModelDType.Float32).KvCacheBytesPerToken;
        foreach (long budget in new[] { 1L, 50 * kvPerToken, 1L << 30 })
        {
            using var reused = new TokenScorer(model, new ScoringOptions { MinSharedPrefix = 16, PrefixCacheBytes = budget });
            // Chunks of 5 requests, as the runner sends them: later chunks continue from kept prefixes.
            var actual = new List<ContinuationScore>();
            for (int i = 0; i < requests.Count; i += 5) actual.AddRange(reused.Loglikelihood(requests.Skip(i).Take(5).ToList()));
            AssertSame(expected, actual, 1e-5);
            Assert.InRange(reused.PrefixCacheBytes, 0, Math.Max(budget, 0));
        }
    }

    [Fact]
    public void Count_only_plans_the_same_tokens_without_running_the_model()
    {
        using var model = TestModels.Random(TestModels.Tiny(context: 128));
        var requests = NestedPrefixRequests(64, seed: 5);
        foreach (var options in new[] { NoReuse, new ScoringOptions { MinSharedPrefix = 16 } })
        {
            using var run = new TokenScorer(model, options);
            using var count = new TokenScorer(model, options with { CountOnly = true });
            run.Loglikelihood(requests.Take(9).ToList());
            run.Loglikelihood(requests.Skip(9).ToList());
            count.Loglikelihood(requests.Take(9).ToList());
            count.Loglikelihood(requests.Skip(9).ToList());
            Assert.Equal(run.TokensWithoutPadding, count.TokensWithoutPadding);
            Assert.Equal(run.TokensProcessed, count.TokensProcessed);
        }
    }

    [Fact]
    public void Shared_prefixes_prefer_the_long_block_over_the_line_every_context_shares()
    {
        int[] head = [1, 2, 3];
        int[] subjectA = [.. head, .. Enumerable.Repeat(7, 50)], subjectB = [.. head, .. Enumerable.Repeat(8, 50)];
        List<int[]> contexts = [[.. subjectA, 10], [.. subjectB, 11], [.. subjectA, 12], [.. subjectB, 13], [.. subjectA, 14], [1, 2, 3, 9]];
        var groups = SharedPrefixes.Find(contexts, minLength: 2);
        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.Equal(53, g.Length));
        Assert.Equal([0, 2, 4], groups.Single(g => g.Members.Contains(0)).Members.Order());
        Assert.Equal([1, 3], groups.Single(g => g.Members.Contains(1)).Members.Order());
        Assert.Empty(SharedPrefixes.Find(contexts, minLength: 60)); // too short to be worth it: the plain path
    }

    [Fact]
    public void Suffix_batches_that_shrink_in_width_and_grow_in_rows_score_as_whole_contexts_within_1e5()
    {
        // One prefix, suffixes of 12 down to 1 tokens in passes of at most 24 tokens: 2 rows of 12 and 11, ..., 4 rows of
        // 6 to 3, so batches write after the prefix in one row cache, narrower each time, and a wider one is made twice.
        using var model = TestModels.Random(TestModels.Tiny(context: 128));
        var rng = new Random(5);
        int[] prefix = [1, .. Enumerable.Range(0, 40).Select(_ => rng.Next(2, 64))];
        var requests = Enumerable.Range(0, 12).Reverse()
            .Select(n => new ContinuationRequest([.. prefix, .. Enumerable.Range(0, n + 1).Select(_ => rng.Next(2, 64))], [rng.Next(2, 64)]))
            .ToList();
        using var plain = new TokenScorer(model, NoReuse);
        using var reused = new TokenScorer(model, new ScoringOptions { MaxBatchRows = 4, MaxBatchTokens = 24, MinSharedPrefix = 16 });
        AssertSame(plain.Loglikelihood(requests), reused.Loglikelihood(requests), 1e-5);
        Assert.Equal(1, reused.PrefixesComputed);
    }

    [Fact]
    public void Stories260K_few_shot_style_prompts_within_1e5()
    {
        using var model = new LlamaModel(Checkpoints.CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var rng = new Random(1);
        int[] shots = [1, .. Enumerable.Range(0, 200).Select(_ => rng.Next(3, 512))];
        var requests = new List<ContinuationRequest>();
        for (int q = 0; q < 10; q++)
        {
            int[] question = [.. shots, .. Enumerable.Range(0, 20 + q * 7).Select(_ => rng.Next(3, 512))];
            foreach (int letter in new[] { 65, 66, 67, 68 }) requests.Add(new ContinuationRequest(question, [letter, 290 + q]));
        }
        using var plain = new TokenScorer(model, NoReuse);
        using var reused = new TokenScorer(model);
        AssertSame(plain.Loglikelihood(requests), reused.Loglikelihood(requests), 1e-5);
        Assert.Equal(1, reused.PrefixesComputed);
    }

    private static void AssertSame(IReadOnlyList<ContinuationScore> expected, IReadOnlyList<ContinuationScore> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i].LogProb - actual[i].LogProb) <= tolerance,
                $"request {i}: {actual[i].LogProb} with reuse, {expected[i].LogProb} without");
            Assert.Equal(expected[i].IsGreedy, actual[i].IsGreedy);
            Assert.Equal(expected[i].TokenLogProbs.Length, actual[i].TokenLogProbs.Length);
        }
    }
}
