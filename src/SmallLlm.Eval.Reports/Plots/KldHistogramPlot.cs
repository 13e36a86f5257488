using ScottPlot;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>The distribution of per-token KL divergences (log-spaced bins: KLDs span many orders of magnitude).</summary>
public static class KldHistogramPlot
{
    public static string Save(IReadOnlyList<double> klds, string title, string stem)
    {
        var plot = new Plot();
        var positive = klds.Where(k => k > 0).Select(Math.Log10).ToArray();
        int zeros = klds.Count - positive.Length;
        if (positive.Length > 0)
        {
            double lo = Math.Floor(positive.Min()), hi = Math.Ceiling(Math.Max(positive.Max(), lo + 1));
            int bins = 40;
            var counts = new double[bins];
            foreach (var x in positive) counts[Math.Clamp((int)((x - lo) / (hi - lo) * bins), 0, bins - 1)]++;
            var bars = counts.Select((c, i) => new Bar { Position = lo + (i + 0.5) * (hi - lo) / bins, Value = c, Size = (hi - lo) / bins }).ToList();
            plot.Add.Bars(bars);
        }
        plot.Title(title + (zeros > 0 ? $" ({zeros:N0} tokens with KLD = 0 not shown)" : ""));
        plot.XLabel("log10 KL divergence per token (nats)");
        plot.YLabel("tokens");
        return PlotFiles.Save(plot, stem, 900, 500);
    }
}
