using ScottPlot;

namespace SmallLlm.Eval.Reports;

/// <summary>One bar per (category, series), bars of a category side by side: e.g. tokens per byte per corpus and tokenizer.</summary>
public sealed record GroupedBarData(string Title, string ValueLabel, IReadOnlyList<string> Categories,
    IReadOnlyList<string> Series, double[,] Values);

public static class GroupedBarChart
{
    /// <summary>Renders <paramref name="data"/> (Values[category, series]; NaN draws no bar) to a PNG file.</summary>
    public static void SavePng(GroupedBarData data, string path, int? width = null, int height = 600)
    {
        int categories = data.Categories.Count, series = data.Series.Count;
        if (data.Values.GetLength(0) != categories || data.Values.GetLength(1) != series)
            throw new ArgumentException($"chart values are {data.Values.GetLength(0)}×{data.Values.GetLength(1)}, expected {categories}×{series}");
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double groupWidth = series + 1.0;
        var bars = new List<Bar>();
        for (int c = 0; c < categories; c++)
        {
            for (int s = 0; s < series; s++)
            {
                double v = data.Values[c, s];
                if (double.IsNaN(v)) continue;
                bars.Add(new Bar { Position = c * groupWidth + s, Value = v, FillColor = palette.GetColor(s), LineWidth = 0 });
            }
        }
        plot.Add.Bars(bars);
        var ticks = Enumerable.Range(0, categories)
            .Select(c => new Tick(c * groupWidth + (series - 1) / 2.0, data.Categories[c])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        if (categories > 8)
        {
            // Many categories (languages): slanted labels, with room below the axis for them.
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 12 + 7 * data.Categories.Max(c => c.Length);
        }
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        for (int s = 0; s < series; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = data.Series[s], FillColor = palette.GetColor(s) });
        plot.ShowLegend(Edge.Right);
        plot.Title(data.Title);
        plot.YLabel(data.ValueLabel);
        plot.Axes.Margins(bottom: 0);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(-1, categories * groupWidth - 1);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        plot.SavePng(path, width ?? Math.Max(800, 40 + categories * series * 14), height);
    }
}
