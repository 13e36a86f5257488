namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// One model (or checkpoint): its cells by task, average over proportion-type headlines, rank and flags. Flags
/// (other settings, missing tasks) keep a row out of the ranking; notes (degenerate values) do not.
/// </summary>
public sealed record LeaderboardRow(string Label, string Model, string DType, long Parameters,
    IReadOnlyDictionary<string, LeaderboardCell> Cells, double? Average, int? Rank, IReadOnlyList<string> Flags)
{
    /// <summary>Mean over the columns of this row's rank in each (see <see cref="LeaderboardRanking"/>).</summary>
    public double? MeanRank { get; init; }
    /// <summary>Another ranked row has the same mean rank: no column tells them apart beyond noise.</summary>
    public bool Tied { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>"1", or "=1" for a tie.</summary>
    public string RankText => Rank is int k ? (Tied ? "=" : "") + k : "";
}
