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
        warnings = board.Warnings,
    }, Options) + "\n";
}
