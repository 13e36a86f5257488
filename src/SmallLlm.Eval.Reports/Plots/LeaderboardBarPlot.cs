using ScottPlot;
using SmallLlm.Eval.Reports.Leaderboards;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>The leaderboard's accuracy-type headlines as grouped bars (task groups, one colour per model) with ±1 SE bars.</summary>
public static class LeaderboardBarPlot
{
    /// <summary>Saves stem.png/.svg; null when no column is accuracy-type (perplexities do not share an axis with accuracies).</summary>
    public static string? Save(Leaderboard board, string stem)
    {
        var columns = board.Columns.Where(c => c.IsProportion).ToList();
        if (columns.Count == 0 || board.Rows.Count == 0) return null;
        var rows = board.Rows;
        var plot = new Plot();
        double group = rows.Count + 1.0;
        var bars = new List<Bar>();
        for (int c = 0; c < columns.Count; c++)
            for (int r = 0; r < rows.Count; r++)
            {
                if (!rows[r].Cells.TryGetValue(columns[c].Task, out var cell)) continue;
                bars.Add(new Bar
                {
                    Position = c * group + r, Value = cell.Metric.Value, Error = cell.Metric.Stderr ?? 0,
                    FillColor = PlotFiles.Palette.GetColor(r), LineWidth = 0,
                });
            }
        PlotFiles.AddBarsWithErrors(plot, bars);
        PlotFiles.CategoryTicks(plot, columns.Select((c, i) => (i * group + (rows.Count - 1) / 2.0, $"{c.Task} ({c.Metric})")).ToList());
        for (int r = 0; r < rows.Count; r++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = rows[r].Label + (rows[r].Flags.Count > 0 ? " †" : ""), FillColor = PlotFiles.Palette.GetColor(r) });
        plot.ShowLegend(Edge.Right);
        plot.Title("Leaderboard: headline accuracy per task (error bars ±1 standard error)");
        plot.YLabel("accuracy (fraction correct)");
        plot.XLabel("task (metric)");
        plot.Axes.SetLimits(-1, columns.Count * group - 1, 0, 1.05);
        return PlotFiles.Save(plot, stem, Math.Max(800, 200 + columns.Count * (rows.Count + 1) * 30), 550);
    }
}
