using System.Text.Json;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>The leaderboard as JSON for scripts: columns, rows in rank order with every cell, flags, notes and warnings.</summary>
public static class LeaderboardJson
{
    private static JsonSerializerOptions Options => ReportJson.Options;

    public static string Render(Leaderboard board) => JsonSerializer.Serialize(new
    {
        columns = board.Columns.Select(c => new { task = c.Task, metric = c.Metric, lower_is_better = c.LowerIsBetter, proportion = c.IsProportion }),
        rows = board.Rows.Select(r => new
        {
            rank = r.Rank,
            tied = r.Tied,
            model = r.Label,
            model_name = r.Model,
            dtype = r.DType,
            parameters = r.Parameters,
            mean_rank = r.MeanRank,
            average = r.Average,
            cells = board.Columns.Where(c => r.Cells.ContainsKey(c.Task)).ToDictionary(c => c.Task, c =>
            {
                var cell = r.Cells[c.Task];
                return new
                {
                    metric = c.Metric,
                    value = cell.Metric.Value,
                    stderr = cell.Metric.Stderr,
                    n = cell.Metric.N,
                    num_fewshot = cell.File.Setting("num_fewshot"),
                    shots_used = LeaderboardText.ShotsUsed(cell.File),
                    limit = cell.File.Setting("limit"),
                    run = cell.File.RunId,
                    model_id = cell.File.ModelId,
                    comparable = cell.Comparable,
                    difference = cell.Difference,
                    degenerate = cell.Degenerate,
                };
            }),
            flags = r.Flags,
            notes = r.Notes,
        }),
        kld = board.Kld.Select(k => new
        {
            model = k.Model, model_id = k.File.ModelId, run = k.File.RunId, dtype = k.DType, @base = k.Base, base_model_id = k.File.Setting("base_model_id"),
            data = k.Data, limit = k.Limit, tokens = k.MeanKld.N, mean_kld = k.MeanKld.Value, mean_kld_stderr = k.MeanKld.Stderr,
            kld_p99 = k.P99?.Value, top1_agreement = k.Top1Agreement?.Value, top1_agreement_stderr = k.Top1Agreement?.Stderr, ppl_ratio = k.PplRatio?.Value,
        }),
        warnings = board.Warnings,
    }, Options) + "\n";
}
