using System.Globalization;
using ScottPlot;
using SmallLlm.Eval.Reports.Leaderboards;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>Code completion: pass@k against k, one line per (model, task) that reports pass@k metrics.</summary>
public static class PassAtKPlot
{
    /// <summary>k of a "pass@k" metric name, or 0 for other metrics.</summary>
    public static int K(string metric) =>
        metric.StartsWith("pass@", StringComparison.Ordinal) && int.TryParse(metric[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : 0;

    /// <summary>Saves stem.png/.svg, or null when no result has a pass@k metric.</summary>
    public static string? Save(Leaderboard board, string stem)
    {
        var series = new List<(string Label, double[] K, double[] Value, double[] Err)>();
        foreach (var row in board.Rows)
            foreach (var (task, cell) in row.Cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var points = cell.File.Metrics.Select(m => (K: K(m.Key), m.Value)).Where(p => p.K > 0).OrderBy(p => p.K).ToList();
                if (points.Count == 0) continue;
                series.Add(($"{row.Label} · {task}", points.Select(p => (double)p.K).ToArray(), points.Select(p => p.Value.Value).ToArray(),
                    points.Select(p => p.Value.Stderr ?? 0).ToArray()));
            }
        if (series.Count == 0) return null;
        var plot = new Plot();
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var line = plot.Add.Scatter(s.K, s.Value);
            line.LegendText = s.Label;
            line.Color = PlotFiles.Palette.GetColor(i);
            line.MarkerSize = 8;
            var err = plot.Add.ErrorBar(s.K, s.Value, s.Err);
            err.Color = PlotFiles.Palette.GetColor(i);
        }
        var ks = series.SelectMany(s => s.K).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ks.Select(k => new Tick(k, k.ToString(CultureInfo.InvariantCulture))).ToArray());
        plot.Title("Code completion: pass@k against k (error bars ±1 SE)");
        plot.XLabel("k (samples per problem)");
        plot.YLabel("pass@k (fraction of problems solved)");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimits(0, ks.Max() + 1, 0, 1.05);
        return PlotFiles.Save(plot, stem, 900, 550);
    }
}
