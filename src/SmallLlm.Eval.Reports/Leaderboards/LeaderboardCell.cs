using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// A row's value for one column; <see cref="Difference"/> says how its settings differ from the column's, if they do;
/// <see cref="Degenerate"/> why the value cannot be a real measurement (NaN, worse than uniform guessing), if so.
/// </summary>
public sealed record LeaderboardCell(ResultMetric Metric, ResultFile File, string? Difference, string? Degenerate = null)
{
    public bool Comparable => Difference is null;
}
