using System.Text.Json;

namespace SmallLlm.Eval.Reports.Plots;

/// <summary>The training loss against tokens seen, read from a run's train_log.jsonl.</summary>
public static class TrainingLossPlot
{
    /// <summary>Writes <c>stem.png</c> and <c>stem.svg</c> from <paramref name="logPath"/>; returns the PNG path, or null for an empty log.</summary>
    public static string? Save(string logPath, string title, string stem)
    {
        var points = File.ReadAllLines(logPath).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return (Tokens: doc.RootElement.GetProperty("tokens").GetDouble(), Loss: doc.RootElement.GetProperty("loss").GetDouble());
        }).ToList();
        if (points.Count == 0) return null;
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(points.Select(p => p.Tokens).ToArray(), points.Select(p => p.Loss).ToArray());
        line.MarkerSize = points.Count > 50 ? 0 : 4;
        plot.Title(title);
        plot.XLabel("tokens seen");
        plot.YLabel("training loss (nats per token)");
        return PlotFiles.Save(plot, stem, 900, 500);
    }
}
