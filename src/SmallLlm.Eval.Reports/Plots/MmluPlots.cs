using ScottPlot;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>
/// MMLU accuracy per category (bars with ±1 SE, one colour per model) and per subject (heat map, subjects × models),
/// both against the 25% a four-way guess gets.
/// </summary>
public static class MmluPlots
{
    public const double Chance = 0.25;

    private static List<(string Label, ResultFile File)> Runs(Leaderboard board, string task) =>
        board.Rows.Where(r => r.Cells.ContainsKey(task)).Select(r => (r.Label, r.Cells[task].File)).ToList();

    /// <summary>Saves stem.png/.svg, or returns null when no run has a category breakdown.</summary>
    public static string? SaveCategories(Leaderboard board, string stem, string task = "mmlu")
    {
        var runs = Runs(board, task).Where(r => r.File.Breakdown.ContainsKey("category")).ToList();
        if (runs.Count == 0) return null;
        var categories = runs.SelectMany(r => r.File.Breakdown["category"].Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var plot = new Plot();
        double group = runs.Count + 1.0;
        var bars = new List<Bar>();
        for (int c = 0; c < categories.Count; c++)
            for (int m = 0; m < runs.Count; m++)
                if (runs[m].File.Breakdown["category"].TryGetValue(categories[c], out var v))
                    bars.Add(new Bar { Position = c * group + m, Value = v.Value, Error = v.Stderr ?? 0, FillColor = PlotFiles.Palette.GetColor(m), LineWidth = 0 });
        PlotFiles.AddBarsWithErrors(plot, bars);
        var chance = plot.Add.HorizontalLine(Chance);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        chance.LineWidth = 1.5f;
        chance.LegendText = "chance (25%, four choices)";
        PlotFiles.CategoryTicks(plot, categories.Select((c, i) => (i * group + (runs.Count - 1) / 2.0, c)).ToList());
        for (int m = 0; m < runs.Count; m++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = runs[m].Label, FillColor = PlotFiles.Palette.GetColor(m) });
        plot.ShowLegend(Edge.Right);
        plot.Title($"MMLU accuracy per category ({Shots(runs[0].File)}, error bars ±1 SE)");
        plot.YLabel("accuracy (fraction correct)");
        plot.XLabel("MMLU category");
        plot.Axes.SetLimits(-1, categories.Count * group - 1, 0, 1.05);
        return PlotFiles.Save(plot, stem, Math.Max(800, 260 + categories.Count * (runs.Count + 1) * 30), 550);
    }

    /// <summary>Saves the subjects × models heat map, or null when no run has a subject breakdown.</summary>
    public static string? SaveSubjectHeatmap(Leaderboard board, string stem, string task = "mmlu")
    {
        var runs = Runs(board, task).Where(r => r.File.Breakdown.ContainsKey("subject")).ToList();
        if (runs.Count == 0) return null;
        var subjects = runs.SelectMany(r => r.File.Breakdown["subject"].Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        // Row 0 is drawn at the top: subjects read top to bottom in alphabetical order.
        var values = new double[subjects.Count, runs.Count];
        for (int s = 0; s < subjects.Count; s++)
            for (int m = 0; m < runs.Count; m++)
                values[s, m] = runs[m].File.Breakdown["subject"].TryGetValue(subjects[s], out var v) ? v.Value : double.NaN;
        var plot = new Plot();
        // ScottPlot draws nothing for a heat map one cell wide or high: repeat the single column/row over the same rectangle.
        var drawn = new double[Math.Max(2, subjects.Count), Math.Max(2, runs.Count)];
        for (int s = 0; s < drawn.GetLength(0); s++)
            for (int m = 0; m < drawn.GetLength(1); m++)
                drawn[s, m] = values[Math.Min(s, subjects.Count - 1), Math.Min(m, runs.Count - 1)];
        var heatmap = plot.Add.Heatmap(drawn);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // The colour scale spans the values (with chance inside it), not 0–1: small models' 0.2–0.35 would all look alike.
        var (low, high) = ColourRange(values);
        heatmap.ManualRange = new ScottPlot.Range(low, high);
        heatmap.Rectangle = new CoordinateRect(-0.5, runs.Count - 0.5, -0.5, subjects.Count - 0.5);
        plot.Add.ColorBar(heatmap); // unlabelled: a label sat over a tick; the title says the colour is accuracy
        // The 25% chance level as a tick on the colour bar scale is not enough at a glance: mark cells below it.
        for (int s = 0; s < subjects.Count; s++)
            for (int m = 0; m < runs.Count; m++)
            {
                if (double.IsNaN(values[s, m])) continue;
                var t = plot.Add.Text(values[s, m].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + (values[s, m] < Chance ? "*" : ""),
                    m, subjects.Count - 1 - s);
                t.LabelFontColor = (values[s, m] - low) / (high - low) > 0.6 ? Colors.Black : Colors.White; // viridis is light at the top
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontSize = 11;
            }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            subjects.Select((s, i) => new Tick(subjects.Count - 1 - i, s)).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(runs.Select((r, i) => new Tick(i, r.Label)).ToArray());
        plot.Axes.Left.MinimumSize = 20 + 7 * subjects.Max(s => s.Length);
        plot.Title($"MMLU accuracy per subject ({Shots(runs[0].File)}; colour scale {low.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)}–{high.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)})");
        plot.XLabel("model (* below the 25% chance level)");
        plot.YLabel("MMLU subject");
        plot.Axes.SetLimits(-0.5, runs.Count - 0.5, -0.5, subjects.Count - 0.5);
        return PlotFiles.Save(plot, stem, Math.Max(760, 460 + 110 * runs.Count), Math.Max(400, 160 + 22 * subjects.Count));
    }

    /// <summary>The values' range rounded out to tenths, widened to hold the chance level and at least 0.1 wide, within 0–1.</summary>
    public static (double Low, double High) ColourRange(double[,] values)
    {
        var finite = values.Cast<double>().Where(double.IsFinite).ToList();
        double low = Math.Floor(Math.Min(Chance, finite.Count > 0 ? finite.Min() : 0) * 10) / 10;
        double high = Math.Ceiling(Math.Max(Chance, finite.Count > 0 ? finite.Max() : 1) * 10) / 10;
        low = Math.Max(0, low);
        if (high - low < 0.0999) high = Math.Round(low + 0.1, 1); // rounded: 0.2 + 0.1 is 0.30000000000000004
        return (low, Math.Min(1, high));
    }

    /// <summary>"5-shot", or "5-shot, used 1.2 avg" when prompts had to drop shots to fit the context.</summary>
    private static string Shots(ResultFile f)
    {
        if (f.Setting("num_fewshot") is not string k) return "shots unknown";
        string text = LeaderboardText.ShotsUsed(f);
        int open = text.IndexOf(" (used ", StringComparison.Ordinal);
        return open < 0 ? $"{k}-shot" : $"{k}-shot, {text[(open + 2)..^1]}";
    }
}
