using System.Globalization;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// The leaderboard as CSV for spreadsheets and scripts: full-precision values, per task its value, stderr, n,
/// shots and limit, and a flags column (<see cref="ReportCsv"/>).
/// </summary>
public static class LeaderboardCsv
{
    public static string Render(Leaderboard board)
    {
        var header = new List<string> { "rank", "tied", "model", "parameters", "dtype" };
        foreach (var c in board.Columns)
            header.AddRange([$"{c.Task}.{c.Metric}", $"{c.Task}.{c.Metric}.stderr", $"{c.Task}.n", $"{c.Task}.num_fewshot", $"{c.Task}.shots_used", $"{c.Task}.limit", $"{c.Task}.degenerate"]);
        header.AddRange(["mean_rank", "average", "flags"]);
        return ReportCsv.Render(board.Rows.Select(Fields).Prepend(header));

        List<string> Fields(LeaderboardRow r)
        {
            var fields = new List<string> { r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", r.Tied ? "true" : "false", r.Label, r.Parameters.ToString(CultureInfo.InvariantCulture), r.DType };
            foreach (var c in board.Columns)
            {
                if (r.Cells.TryGetValue(c.Task, out var cell))
                    fields.AddRange([ReportCsv.Number(cell.Metric.Value), ReportCsv.Number(cell.Metric.Stderr),
                        cell.Metric.N.ToString(CultureInfo.InvariantCulture), cell.File.Setting("num_fewshot") ?? "", LeaderboardText.ShotsUsed(cell.File),
                        cell.File.Setting("limit") ?? "", cell.Degenerate ?? ""]);
                else fields.AddRange(["", "", "", "", "", "", ""]);
            }
            fields.Add(ReportCsv.Number(r.MeanRank));
            fields.Add(ReportCsv.Number(r.Average));
            fields.Add(string.Join("; ", r.Flags.Concat(r.Notes)));
            return fields;
        }
    }

    /// <summary>The kld section as CSV (one row per `smalleval kld` run, full precision), or null when there is none.</summary>
    public static string? RenderKld(Leaderboard board) => board.Kld.Count == 0 ? null : ReportCsv.Render(board.Kld.Select(k => new[]
        {
            k.Model, k.File.ModelId, k.File.RunId, k.DType, k.Base, k.File.Setting("base_model_id") ?? "", k.Data, k.Limit ?? "",
            k.MeanKld.N.ToString(CultureInfo.InvariantCulture), ReportCsv.Number(k.MeanKld.Value), ReportCsv.Number(k.MeanKld.Stderr),
            ReportCsv.Number(k.P99?.Value), ReportCsv.Number(k.Top1Agreement?.Value), ReportCsv.Number(k.Top1Agreement?.Stderr), ReportCsv.Number(k.PplRatio?.Value),
        }).Prepend(["model", "model_id", "run", "dtype", "base", "base_model_id", "data", "limit", "tokens", "mean_kld", "mean_kld_stderr", "kld_p99", "top1_agreement", "top1_agreement_stderr", "ppl_ratio"]));
}
