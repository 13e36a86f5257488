using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// The leaderboard as CSV for spreadsheets and scripts: full-precision values, per task its value, stderr, n,
/// shots and limit, and a flags column (RFC 4180 quoting).
/// </summary>
public static class LeaderboardCsv
{
    public static string Render(Leaderboard board)
    {
        var header = new List<string> { "rank", "tied", "model", "parameters", "dtype" };
        foreach (var c in board.Columns)
            header.AddRange([$"{c.Task}.{c.Metric}", $"{c.Task}.{c.Metric}.stderr", $"{c.Task}.n", $"{c.Task}.num_fewshot", $"{c.Task}.shots_used", $"{c.Task}.limit", $"{c.Task}.degenerate"]);
        header.AddRange(["mean_rank", "average", "flags"]);
        var sb = new StringBuilder();
        sb.Append(string.Join(",", header.Select(Quote))).Append('\n');
        foreach (var r in board.Rows)
        {
            var fields = new List<string> { r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", r.Tied ? "true" : "false", r.Label, r.Parameters.ToString(CultureInfo.InvariantCulture), r.DType };
            foreach (var c in board.Columns)
            {
                if (r.Cells.TryGetValue(c.Task, out var cell))
                    fields.AddRange([Number(cell.Metric.Value), cell.Metric.Stderr is double se ? Number(se) : "",
                        cell.Metric.N.ToString(CultureInfo.InvariantCulture), cell.File.Setting("num_fewshot") ?? "", LeaderboardText.ShotsUsed(cell.File),
                        cell.File.Setting("limit") ?? "", cell.Degenerate ?? ""]);
                else fields.AddRange(["", "", "", "", "", "", ""]);
            }
            fields.Add(r.MeanRank is double mr ? Number(mr) : "");
            fields.Add(r.Average is double a ? Number(a) : "");
            fields.Add(string.Join("; ", r.Flags.Concat(r.Notes)));
            sb.Append(string.Join(",", fields.Select(Quote))).Append('\n');
        }
        return sb.ToString();
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
