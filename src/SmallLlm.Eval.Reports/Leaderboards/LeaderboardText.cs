using System.Globalization;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>Label formats shared by the markdown, CSV and HTML leaderboards (numbers: <see cref="ReportNumbers"/>).</summary>
public static class LeaderboardText
{
    /// <summary>Value ± stderr; † for other settings; ⚠ for a degenerate value (the reason is in the row's notes).</summary>
    public static string Cell(LeaderboardCell? cell) => cell is null ? "—"
        : (cell.Degenerate is null ? "" : "⚠ ") + ReportNumbers.Format(cell.Metric.Value) + (cell.Metric.Stderr is double se ? " ± " + ReportNumbers.Format(se) : "") + (cell.Comparable ? "" : " †");

    /// <summary>Shots per task as configured, with the shots actually used when prompts had to drop some: "5 (used 1.2 avg, 0–5)".</summary>
    public static string Shots(LeaderboardRow row, IReadOnlyList<LeaderboardColumn> columns)
    {
        var values = columns.Select(c => row.Cells.TryGetValue(c.Task, out var cell) ? ShotsUsed(cell.File) : "-").ToList();
        return values.Distinct().Count() == 1 ? values[0] : string.Join("/", values);
    }

    /// <summary>One task run's shots: the setting, and what was used when that differs (from counts.shots_histogram, else counts.shots_dropped).</summary>
    public static string ShotsUsed(ResultFile f)
    {
        string configured = Show(f.Setting("num_fewshot"));
        if (f.ShotsHistogram?.Where(kv => int.TryParse(kv.Key, out _)).ToDictionary(kv => int.Parse(kv.Key, CultureInfo.InvariantCulture), kv => kv.Value) is { Count: > 0 } h)
        {
            long n = h.Values.Sum();
            int min = h.Keys.Min(), max = h.Keys.Max();
            if (min == max) return configured == max.ToString(CultureInfo.InvariantCulture) ? configured : $"{configured} (used {max})";
            double mean = h.Sum(kv => (double)kv.Key * kv.Value) / n;
            return $"{configured} (used {mean.ToString("0.0", CultureInfo.InvariantCulture)} avg, {min}–{max})";
        }
        if (int.TryParse(f.Setting("num_fewshot"), out int k) && f.Counts.TryGetValue("shots_dropped", out long dropped) && dropped > 0
            && f.Counts.TryGetValue("documents", out long docs) && docs > 0)
            return $"{configured} (used {(k - (double)dropped / docs).ToString("0.0", CultureInfo.InvariantCulture)} avg)";
        return configured;
    }

    public static string Header(LeaderboardColumn c) => $"{c.Task} {c.Metric} {(c.LowerIsBetter ? "↓" : "↑")}";

    /// <summary>Per-row setting (e.g. num_fewshot) over the columns, "5/0/0": one value when they all agree.</summary>
    public static string PerTask(LeaderboardRow row, IReadOnlyList<LeaderboardColumn> columns, string key)
    {
        var values = columns.Select(c => row.Cells.TryGetValue(c.Task, out var cell) ? Show(cell.File.Setting(key)) : "-").ToList();
        return values.Distinct().Count() == 1 ? values[0] : string.Join("/", values);
    }

    /// <summary>An unset setting ("null": no limit) reads as "all".</summary>
    private static string Show(string? setting) => setting is null or "null" ? "all" : setting;

    /// <summary>The row's mean column rank, "2.5"; empty for an unranked row.</summary>
    public static string MeanRank(LeaderboardRow r) => r.MeanRank is double mr ? mr.ToString("0.##", CultureInfo.InvariantCulture) : "";

    public static string Parameters(long p) => p.ToString("N0", CultureInfo.InvariantCulture);

    public static string ColumnOrder(IReadOnlyList<LeaderboardColumn> columns) => string.Join("/", columns.Select(c => c.Task));

    public static string Legend(Leaderboard board) =>
        $"Headline metric per task (↑ higher is better, ↓ lower is better), ± one standard error. Rank: by the mean over all "
        + "headline columns of the row's rank in each (in each column's direction); within a column, values less than 1.96 "
        + "combined standard errors apart share a rank, and so do values equal within 1e-4 (relative: float noise between "
        + "engines); perplexity-type values carry a bootstrap standard error over documents; other values without a standard "
        + "error differ when unequal. \"=\" marks a tie: "
        + "no column separates those rows beyond noise. ⚠: a degenerate value (NaN, or token perplexity above the vocabulary "
        + "size: worse than uniform guessing; see notes), ranked last in its column. Average: mean of the accuracy-type "
        + $"headlines ({string.Join(", ", board.Columns.Where(c => c.IsProportion).Select(c => c.Task))}), for reference. "
        + "Shots and limit are per task when they differ (order: " + ColumnOrder(board.Columns) + "); \"used\" gives the shots "
        + "that fitted the context when prompts had to drop some. "
        + "† and an empty rank: this row ran a task with other settings than most rows (see flags), so it is not ranked against them.";
}
