using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// Ranks rows by their mean rank over all headline columns, each column in its own direction (accuracy: higher is
/// better; perplexity-type: lower is better; <see cref="MetricKinds.LowerIsBetter(string, ResultMetric?)"/>).
/// Within a column, rows whose values do not differ significantly (|a − b| &lt; 1.96·√(se_a² + se_b²), both with a
/// standard error) from the best row of their group share the group's mean position, and so do values equal within
/// the noise floor (<see cref="MetricKinds.NoiseFloor"/>, relative: the same weights through two engines); other values
/// without a standard error differ. Perplexity-type values get a bootstrap standard error from their samples
/// (<see cref="Leaderboard.Build"/>), so their ranks are noise-aware too. Degenerate values (NaN, worse than uniform) rank last. Rows with equal mean
/// rank share a rank and are marked tied. Rows flagged for other settings or missing tasks are not ranked.
/// </summary>
public static class LeaderboardRanking
{
    public const double Z = 1.96;

    public static List<LeaderboardRow> Rank(IReadOnlyList<LeaderboardColumn> columns, IReadOnlyList<LeaderboardRow> rows)
    {
        var rankable = rows.Where(r => r.Flags.Count == 0 && r.Cells.Count > 0).ToList();
        var sums = rankable.ToDictionary(r => r, _ => 0.0);
        foreach (var c in columns)
        {
            var present = rankable.Where(r => r.Cells.ContainsKey(c.Task)).ToList();
            foreach (var (row, rank) in ColumnRanks(c, present)) sums[row] += rank;
        }
        var mean = rankable.ToDictionary(r => r, r => columns.Count == 0 ? 0 : sums[r] / columns.Count);
        var ordered = rankable.OrderBy(r => mean[r]).ToList();
        var result = new List<LeaderboardRow>();
        foreach (var r in ordered)
        {
            int rank = 1 + ordered.Count(o => mean[o] < mean[r] - 1e-9);
            bool tied = ordered.Count(o => Math.Abs(mean[o] - mean[r]) <= 1e-9) > 1;
            result.Add(r with { Rank = rank, MeanRank = mean[r], Tied = tied });
        }
        result.AddRange(rows.Where(r => !sums.ContainsKey(r)).OrderBy(r => r.Label, StringComparer.Ordinal));
        // Within a tie, the order is the average's, then the name's: stable, and says nothing more than "tied".
        return result.OrderBy(r => r.Rank ?? int.MaxValue).ThenByDescending(r => r.Average ?? double.NegativeInfinity)
            .ThenBy(r => r.Label, StringComparer.Ordinal).ToList();
    }

    /// <summary>Each row's rank in one column: 1 is best; rows not significantly apart share their group's mean position.</summary>
    public static IEnumerable<(LeaderboardRow Row, double Rank)> ColumnRanks(LeaderboardColumn column, IReadOnlyList<LeaderboardRow> rows)
    {
        var sorted = rows.OrderBy(r => r.Cells[column.Task].Degenerate is null ? 0 : 1)
            .ThenBy(r => Better(column, r.Cells[column.Task].Metric)).ToList();
        int i = 0;
        while (i < sorted.Count)
        {
            var leader = sorted[i].Cells[column.Task];
            int j = i + 1;
            while (j < sorted.Count && SameWithinNoise(leader, sorted[j].Cells[column.Task])) j++;
            double rank = (i + 1 + j) / 2.0; // mean of positions i+1 .. j
            for (int k = i; k < j; k++) yield return (sorted[k], rank);
            i = j;
        }
    }

    /// <summary>Sort key: smaller is better, whichever way the metric points.</summary>
    private static double Better(LeaderboardColumn column, ResultMetric m) =>
        double.IsNaN(m.Value) ? double.PositiveInfinity : MetricKinds.LowerIsBetter(column.Metric, m) ? m.Value : -m.Value;

    /// <summary>Two values a reader should not tell apart: equal within the noise floor, or both with standard errors and within 1.96 combined SE; degenerate values only tie each other.</summary>
    public static bool SameWithinNoise(LeaderboardCell a, LeaderboardCell b)
    {
        if ((a.Degenerate is null) != (b.Degenerate is null)) return false;
        if (a.Degenerate is not null) return true;
        if (Math.Abs(a.Metric.Value - b.Metric.Value) <= MetricKinds.NoiseFloor * Math.Max(Math.Abs(a.Metric.Value), Math.Abs(b.Metric.Value))) return true;
        if (a.Metric.Stderr is not double sa || b.Metric.Stderr is not double sb) return false;
        double se = Math.Sqrt(sa * sa + sb * sb);
        return se > 0 && Math.Abs(a.Metric.Value - b.Metric.Value) < Z * se;
    }
}
