using ScottPlot;
using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Reports.Plots;

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
        double groupWidth = series + 1.0;
        var bars = new List<Bar>();
        for (int c = 0; c < categories; c++)
        {
            for (int s = 0; s < series; s++)
            {
                double v = data.Values[c, s];
                if (double.IsNaN(v)) continue;
                bars.Add(new Bar { Position = c * groupWidth + s, Value = v, FillColor = PlotFiles.Palette.GetColor(s), LineWidth = 0 });
            }
        }
        plot.Add.Bars(bars);
        PlotFiles.CategoryTicks(plot, Enumerable.Range(0, categories).Select(c => (c * groupWidth + (series - 1) / 2.0, data.Categories[c])).ToList());
        for (int s = 0; s < series; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = data.Series[s], FillColor = PlotFiles.Palette.GetColor(s) });
        plot.ShowLegend(Edge.Right);
        plot.Title(data.Title);
        plot.YLabel(data.ValueLabel);
        plot.Axes.Margins(bottom: 0);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(-1, categories * groupWidth - 1);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        AtomicFile.WriteBytes(path, plot.GetImageBytes(width ?? Math.Max(800, 40 + categories * series * 14), height, ImageFormat.Png));
    }
}
