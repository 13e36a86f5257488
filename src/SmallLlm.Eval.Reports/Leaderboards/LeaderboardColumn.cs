namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>One task's headline metric, with the settings most rows ran it with (the ones a row is compared under).</summary>
public sealed record LeaderboardColumn(string Task, string Metric, bool LowerIsBetter, bool IsProportion,
    string ReferenceSettings, string? Shots, string? Limit);
