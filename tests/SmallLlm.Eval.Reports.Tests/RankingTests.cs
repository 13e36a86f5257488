using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>
/// Ranking with every headline metric: a checkpoint with noise of one standard deviation on every weight must not
/// rank first on accuracy alone; its perplexity is flagged as degenerate (worse than uniform guessing).
/// </summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class RankingTests(EvaluatedRuns runs)
{
    [SkippableFact]
    public void A_checkpoint_with_noise_on_every_weight_ranks_below_the_real_model_and_its_perplexity_is_flagged()
    {
        string dir = Path.Combine(runs.Root, "ranked");
        string noisy = Path.Combine(runs.Checkpoints, "step-50");
        foreach (var (model, tokenizer) in new[] { ("stories260K", (string?)null), (noisy, "tok512") })
        {
            HarnessRun.Eval(model, StoryClozeTask.Name, dir, limit: 20, tasksDir: runs.TasksDir, tokenizer: tokenizer);
            HarnessRun.Eval(model, "tinystories_ppl", dir, limit: 5, tokenizer: tokenizer);
        }
        var board = Leaderboard.Build(ResultFileReader.Read(dir));
        Assert.Equal(["stories260K", "step-50"], board.Rows.Select(r => r.Label));
        Assert.Equal([1, 2], board.Rows.Select(r => r.Rank ?? 0));
        var ppl = board.Rows[1].Cells["tinystories_ppl"];
        Assert.NotNull(ppl.Degenerate);
        Assert.Contains("worse than uniform guessing", ppl.Degenerate);
        Assert.Null(board.Rows[0].Cells["tinystories_ppl"].Degenerate);
        string md = LeaderboardMarkdown.Render(board);
        Assert.Contains("| ⚠ ", md);
        Assert.Contains("tinystories_ppl: token perplexity", md);
    }

    [SkippableFact]
    public void Values_within_noise_share_a_column_rank_and_lower_is_better_for_perplexity()
    {
        var set = ResultFileReader.Read(runs.Sweep);
        var board = Leaderboard.Build(set);
        var column = board.Columns.Single();
        var ranks = LeaderboardRanking.ColumnRanks(column, board.Rows).ToDictionary(x => x.Row.Label, x => x.Rank);
        Assert.Equal(1, ranks["step-1000"]);
        Assert.Equal(2.5, ranks["step-200"]); // 0.50 ± 0.065 vs 0.43 ± 0.065: within noise
        Assert.Equal(2.5, ranks["step-50"]);
        Assert.True(MetricKinds.LowerIsBetter("word_perplexity", null));
        Assert.False(MetricKinds.LowerIsBetter("word_perplexity", new ResultMetric(1, null, 1) { Declared = new DeclaredMetric(HigherIsBetter: true, "mean", IsProportion: false, null, Headline: true) })); // a declaration wins
    }

    [SkippableFact]
    public void The_same_weights_up_to_float_noise_tie_and_perplexities_carry_a_bootstrap_standard_error()
    {
        // The same weights through two engines differ by ~1e-7 in word perplexity; a damaged checkpoint is really worse.
        string dir = Path.Combine(runs.Root, "tied");
        string ppl = RunResults.Result(runs.Perplexity, "tinystories_ppl");
        NoisyRun.Copy(ppl, Path.Combine(dir, "engine-a"), 0);
        NoisyRun.Copy(ppl, Path.Combine(dir, "engine-b"), 1e-7);
        string damaged = RunResults.LatestRun(runs.DamagedPerplexity);
        LeaderboardSnapshotTests.CopyDir(damaged, Path.Combine(dir, "damaged"));
        var board = Leaderboard.Build(ResultFileReader.Read(dir));
        var byLabel = board.Rows.ToDictionary(r => r.Label);
        string a = board.Rows.Single(r => r.Label.Contains("engine-a", StringComparison.Ordinal)).Label;
        string b = board.Rows.Single(r => r.Label.Contains("engine-b", StringComparison.Ordinal)).Label;
        Assert.NotEqual(byLabel[a].Cells["tinystories_ppl"].Metric.Value, byLabel[b].Cells["tinystories_ppl"].Metric.Value);
        Assert.Equal(1, byLabel[a].Rank);
        Assert.Equal(1, byLabel[b].Rank);
        Assert.True(byLabel[a].Tied && byLabel[b].Tied);
        Assert.Equal(3, board.Rows.Single(r => r.Label != a && r.Label != b).Rank);
        Assert.All(board.Rows, r => Assert.True(r.Cells["tinystories_ppl"].Metric.Stderr > 0, r.Label));
        Assert.Contains("| =1 |", LeaderboardMarkdown.Render(board));
    }
}
