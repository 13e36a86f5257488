namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>One model (or checkpoint): its cells by task, average over proportion-type headlines, rank and flags.</summary>
public sealed record LeaderboardRow(string Label, string Model, string DType, long Parameters,
    IReadOnlyDictionary<string, LeaderboardCell> Cells, double? Average, int? Rank, IReadOnlyList<string> Flags);
