using System.Globalization;
using ScottPlot;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Sweeps;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>
/// A checkpoint sweep: each task's headline metric against training tokens (or step when tokens are unknown), with
/// ±1 SE bars, the Chinchilla-optimal point (20 tokens per parameter, Hoffmann et al. 2022) as a vertical line and
/// each checkpoint labelled with its multiple of it.
/// </summary>
public static class SweepPlot
{
    public const double ChinchillaTokensPerParameter = 20;

    public static string Save(IReadOnlyList<SweepManifest.Entry> entries, ResultSet results, string stem)
    {
        if (entries.Count == 0) throw new InvalidDataException("the sweep has no checkpoints to plot");
        bool byTokens = entries.All(e => e.Tokens is not null);
        double X(SweepManifest.Entry e) => byTokens ? e.Tokens!.Value / 1e6 : e.Step;
        var files = entries.ToDictionary(e => e.Model, e => results.Files.Where(f => f.ModelId == e.Model || (f.RunId.Length == 0 && f.Model == e.Model)).ToList());
        var tasks = results.Tasks.Where(t => files.Values.Any(fs => fs.Any(f => f.Task == t))).ToList();
        var headline = tasks.ToDictionary(t => t, t => MetricKinds.Headline(results.Files.First(f => f.Task == t).Metrics));
        bool Proportion(string t) => MetricKinds.IsProportion(headline[t], results.Files.First(f => f.Task == t).Metrics[headline[t]]);
        var plotted = tasks.Where(Proportion).ToList();
        // Other metrics (perplexities, bits per byte) go on the right axis, each task its own line.
        var others = tasks.Where(t => !Proportion(t)).ToList();
        if (plotted.Count == 0 && others.Count > 0) { plotted = others.Take(1).ToList(); others = others.Skip(1).ToList(); }
        if (plotted.Count == 0) throw new InvalidDataException("no results for the sweep's checkpoints: nothing to plot");
        bool proportions = Proportion(plotted[0]);

        var plot = new Plot();
        double yMax = double.MinValue, yMin = double.MaxValue;
        for (int i = 0; i < plotted.Count; i++)
        {
            string task = plotted[i], metric = headline[task];
            var points = entries.Select(e => (X: X(e), M: files[e.Model].FirstOrDefault(f => f.Task == task)?.Metrics.GetValueOrDefault(metric)))
                .Where(p => p.M is not null).ToList();
            if (points.Count == 0) continue;
            double[] xs = points.Select(p => p.X).ToArray(), ys = points.Select(p => p.M!.Value).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = $"{task} {metric}";
            line.Color = PlotFiles.Palette.GetColor(i);
            line.MarkerSize = 8;
            line.LineWidth = 2;
            var err = plot.Add.ErrorBar(xs, ys, points.Select(p => p.M!.Stderr ?? 0).ToArray());
            err.Color = PlotFiles.Palette.GetColor(i);
            yMax = Math.Max(yMax, points.Max(p => p.M!.Value + (p.M.Stderr ?? 0)));
            yMin = Math.Min(yMin, points.Min(p => p.M!.Value - (p.M.Stderr ?? 0)));
        }
        if (others.Count > 0)
        {
            double rMin = double.MaxValue, rMax = double.MinValue;
            for (int i = 0; i < others.Count; i++)
            {
                string task = others[i], metric = headline[task];
                var points = entries.Select(e => (X: X(e), M: files[e.Model].FirstOrDefault(f => f.Task == task)?.Metrics.GetValueOrDefault(metric)))
                    .Where(p => p.M is not null && double.IsFinite(p.M.Value)).ToList();
                if (points.Count == 0) continue;
                // log10 of the value: perplexities of early checkpoints span orders of magnitude.
                double[] xs = points.Select(p => p.X).ToArray(), ys = points.Select(p => Math.Log10(Math.Max(p.M!.Value, 1e-300))).ToArray();
                var line = plot.Add.Scatter(xs, ys);
                line.Axes.YAxis = plot.Axes.Right;
                line.LegendText = $"{task} {metric} (right axis, {(MetricKinds.LowerIsBetter(metric, results.Files.First(f => f.Task == task).Metrics[metric]) ? "lower is better" : "higher is better")})";
                line.Color = PlotFiles.Palette.GetColor(plotted.Count + i);
                line.LinePattern = LinePattern.Dashed;
                line.MarkerShape = MarkerShape.OpenSquare;
                line.MarkerSize = 8;
                line.LineWidth = 2;
                rMin = Math.Min(rMin, ys.Min());
                rMax = Math.Max(rMax, ys.Max());
            }
            if (rMax >= rMin)
            {
                double rPad = (rMax - rMin) * 0.15 + 0.1;
                plot.Axes.Right.Min = rMin - rPad;
                plot.Axes.Right.Max = rMax + rPad;
                plot.Axes.Right.Label.Text = "log10 of " + string.Join(", ", others.Select(t => headline[t]).Distinct());
            }
        }
        if (proportions) { yMin = 0; yMax = Math.Max(1.0, yMax); }
        double top = yMax + (yMax - yMin) * 0.15;

        long parameters = results.Files.Select(f => f.Parameters).FirstOrDefault(p => p > 0);
        string xLabel = byTokens ? "training tokens (millions)" : "training step";
        if (byTokens && parameters > 0)
        {
            double optimal = ChinchillaTokensPerParameter * parameters / 1e6;
            var v = plot.Add.VerticalLine(optimal);
            v.LinePattern = LinePattern.Dashed;
            v.Color = Colors.DarkRed;
            v.LineWidth = 1.5f;
            v.LegendText = $"Chinchilla-optimal: 20 tokens/parameter = {optimal.ToString("0.##", CultureInfo.InvariantCulture)}M tokens";
            // Each checkpoint's tokens as a multiple of the Chinchilla point, written above it.
            foreach (var e in entries)
            {
                var t = plot.Add.Text($"{(e.Tokens!.Value / 1e6 / optimal).ToString("0.##", CultureInfo.InvariantCulture)}×", X(e), top - (top - yMin) * 0.04);
                t.LabelAlignment = Alignment.UpperCenter;
                t.LabelFontSize = 12;
                t.LabelFontColor = Colors.DarkRed;
            }
        }
        // A short title (a long one was clipped at both edges); what the labels mean goes under the x axis.
        plot.Title($"Checkpoint sweep: {(proportions ? "accuracy" : headline[plotted[0]])}{(others.Count > 0 ? " and " + string.Join(", ", others.Select(t => headline[t]).Distinct()) : "")}", size: 16);
        plot.XLabel(xLabel + (byTokens ? " (red labels: multiple of Chinchilla-optimal)" : " (tokens unknown: pass --tokens-per-step)"));
        plot.YLabel(proportions ? "accuracy (fraction correct), ±1 SE" : headline[plotted[0]] + ", ±1 SE");
        plot.ShowLegend(Edge.Bottom); // outside the data: inside, it covered the last checkpoint
        double xMin = entries.Min(X), xMax = entries.Max(X);
        if (byTokens && parameters > 0) xMax = Math.Max(xMax, ChinchillaTokensPerParameter * parameters / 1e6);
        double pad = (xMax - xMin) * 0.06 + 1e-9;
        plot.Axes.SetLimits(Math.Max(0, xMin - pad), xMax + pad, yMin, top);
        return PlotFiles.Save(plot, stem, others.Count > 0 ? 1000 : 900, 640);
    }
}
