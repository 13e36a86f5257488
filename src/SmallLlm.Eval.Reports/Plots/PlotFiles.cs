using ScottPlot;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>Saves a plot as PNG (for pages and README) and SVG (for papers and zooming) side by side, each written atomically.</summary>
public static class PlotFiles
{
    /// <summary>Writes <c>stem.png</c> and <c>stem.svg</c>; returns the PNG path.</summary>
    public static string Save(Plot plot, string stem, int width, int height)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(stem));
        if (dir != null) Directory.CreateDirectory(dir);
        AtomicFile.WriteBytes(stem + ".png", plot.GetImageBytes(width, height, ImageFormat.Png));
        AtomicFile.WriteText(stem + ".svg", plot.GetSvgXml(width, height));
        return stem + ".png";
    }

    /// <summary>Category labels under bars, slanted when there are many or they are long.</summary>
    public static void CategoryTicks(Plot plot, IReadOnlyList<(double Position, string Label)> ticks)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => new Tick(t.Position, t.Label)).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        int longest = ticks.Count == 0 ? 0 : ticks.Max(t => t.Label.Length);
        if (ticks.Count > 8 || longest > 24)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 20 + 7 * longest;
        }
    }

    public static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>Bars with ±1 SE whiskers drawn as a separate error-bar plottable (bars alone draw none).</summary>
    public static void AddBarsWithErrors(Plot plot, List<Bar> bars)
    {
        plot.Add.Bars(bars);
        var withError = bars.Where(b => b.Error > 0).ToList();
        if (withError.Count == 0) return;
        var err = plot.Add.ErrorBar(withError.Select(b => b.Position).ToArray(), withError.Select(b => b.Value).ToArray(), withError.Select(b => b.Error).ToArray());
        err.Color = Colors.Black;
        err.LineWidth = 1.5f;
    }
}
