using ScottPlot;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;

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
        bool chanceShown = false;
        for (int c = 0; c < columns.Count; c++)
        {
            if (Chance(columns[c], rows) is not double chance) continue;
            var line = plot.Add.Line(c * group - 0.6, chance, c * group + rows.Count - 0.4, chance);
            line.LinePattern = LinePattern.Dashed;
            line.LineColor = Colors.Black;
            line.LineWidth = 1.5f;
            chanceShown = true;
        }
        PlotFiles.CategoryTicks(plot, columns.Select((c, i) => (i * group + (rows.Count - 1) / 2.0, $"{c.Task} ({c.Metric})")).ToList());
        for (int r = 0; r < rows.Count; r++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = rows[r].Label + (rows[r].Flags.Count > 0 ? " †" : ""), FillColor = PlotFiles.Palette.GetColor(r) });
        if (chanceShown) plot.Legend.ManualItems.Add(new LegendItem { LabelText = "chance (mean of 1/choices)", LineColor = Colors.Black, LinePattern = LinePattern.Dashed, LineWidth = 1.5f });
        plot.ShowLegend(Edge.Right);
        plot.Title("Headline accuracy per task (±1 SE; dashed: chance)"); // short: a longer one was clipped beside the legend
        plot.YLabel("accuracy (fraction correct)");
        plot.XLabel("task (metric)");
        plot.Axes.SetLimits(-1, columns.Count * group - 1, 0, 1.05);
        // Each group at least as wide as its label (~8 px a character), so the task names under the bars never overlap.
        int longest = columns.Max(c => $"{c.Task} ({c.Metric})".Length);
        return PlotFiles.Save(plot, stem, Math.Max(800, 260 + columns.Count * Math.Max((rows.Count + 1) * 30, 8 * longest + 16)), 550);
    }

    /// <summary>
    /// A multiple-choice column's chance accuracy, the mean of 1/choices over its documents (from the samples' per-choice
    /// log-likelihoods); null for other accuracies (LAMBADA's exact match has no choices) or without samples.
    /// </summary>
    public static double? Chance(LeaderboardColumn column, IReadOnlyList<LeaderboardRow> rows)
    {
        foreach (var row in rows)
        {
            if (!row.Cells.TryGetValue(column.Task, out var cell) || !cell.Comparable) continue;
            var samples = SampleFileReader.TryRead(cell.File.SamplesPath, out _);
            if (samples is null || samples.Count == 0) continue;
            return samples.Values.All(s => s.Choices is > 0) ? samples.Values.Average(s => 1.0 / s.Choices!.Value) : null;
        }
        return null;
    }
}
