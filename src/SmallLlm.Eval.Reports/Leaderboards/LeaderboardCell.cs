using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>A row's value for one column; <see cref="Difference"/> says how its settings differ from the column's, if they do.</summary>
public sealed record LeaderboardCell(ResultMetric Metric, ResultFile File, string? Difference)
{
    public bool Comparable => Difference is null;
}
