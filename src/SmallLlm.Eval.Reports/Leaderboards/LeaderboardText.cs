using System.Globalization;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>Number and label formats shared by the markdown, CSV and HTML leaderboards, so they agree digit for digit.</summary>
public static class LeaderboardText
{
    public static string Number(double v) => double.IsNaN(v) ? "NaN" : v.ToString(Math.Abs(v) >= 100 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);

    public static string Cell(LeaderboardCell? cell) => cell is null ? "—"
        : Number(cell.Metric.Value) + (cell.Metric.Stderr is double se ? " ± " + Number(se) : "") + (cell.Comparable ? "" : " †");

    public static string Header(LeaderboardColumn c) => $"{c.Task} {c.Metric} {(c.LowerIsBetter ? "↓" : "↑")}";

    /// <summary>Per-row setting (e.g. num_fewshot) over the columns, "5/0/0": one value when they all agree.</summary>
    public static string PerTask(LeaderboardRow row, IReadOnlyList<LeaderboardColumn> columns, string key)
    {
        var values = columns.Select(c => row.Cells.TryGetValue(c.Task, out var cell) ? Show(cell.File.Setting(key)) : "-").ToList();
        return values.Distinct().Count() == 1 ? values[0] : string.Join("/", values);
    }

    /// <summary>An unset setting ("null": no limit) reads as "all".</summary>
    private static string Show(string? setting) => setting is null or "null" ? "all" : setting;

    public static string Parameters(long p) => p.ToString("N0", CultureInfo.InvariantCulture);

    public static string ColumnOrder(IReadOnlyList<LeaderboardColumn> columns) => string.Join("/", columns.Select(c => c.Task));

    public static string Legend(Leaderboard board) =>
        $"Headline metric per task (↑ higher is better, ↓ lower is better), ± one standard error. Average: mean of the "
        + $"accuracy-type headlines ({string.Join(", ", board.Columns.Where(c => c.IsProportion).Select(c => c.Task))}). "
        + "Shots and limit are per task when they differ (order: " + ColumnOrder(board.Columns) + "). "
        + "† and an empty rank: this row ran a task with other settings than most rows (see flags), so it is not ranked against them.";
}
