using SkiaSharp;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>
/// Every plot a results folder gets shows data: the middle of each PNG holds coloured pixels, not only the white,
/// grey and black of axes and text (a blank heat map for a single model once passed every other test).
/// </summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class PlotPixelTests(EvaluatedRuns runs)
{
    [SkippableFact]
    public void Plots_of_a_single_model_are_not_blank()
    {
        string dir = Path.Combine(runs.Root, "pixels");
        var written = LeaderboardFiles.Write(Leaderboard.Build(ResultFileReader.Read(runs.Baseline)), dir);
        var pngs = written.Where(p => p.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.Contains(pngs, p => p.EndsWith("mmlu_subjects.png", StringComparison.Ordinal));
        foreach (string png in pngs)
            Assert.True(ColouredPixelsInTheMiddle(png) >= 2, $"{png} shows no data: fewer than 2 distinct colours in the middle of the plot");
    }

    [SkippableFact]
    public void The_sweep_plot_is_not_blank() =>
        Assert.True(ColouredPixelsInTheMiddle(Path.Combine(runs.Sweep, "sweep.png")) >= 2);

    [SkippableFact]
    public void Leaderboard_bars_get_a_chance_line_from_the_documents_choices()
    {
        var board = Leaderboard.Build(ResultFileReader.Read(runs.Baseline));
        Assert.Equal(0.25, Plots.LeaderboardBarPlot.Chance(board.Columns.Single(c => c.Task == "mmlu"), board.Rows)); // four choices each
        double arc = Plots.LeaderboardBarPlot.Chance(board.Columns.Single(c => c.Task == "arc_easy"), board.Rows)!.Value;
        Assert.InRange(arc, 0.2, 1.0 / 3); // ARC questions have 3 to 5 choices, most 4
        Assert.Null(Plots.LeaderboardBarPlot.Chance(board.Columns.Single(c => c.Task == "arc_easy"), []));
    }

    [Fact]
    public void The_subject_heat_map_scale_spans_the_values_and_chance_not_zero_to_one()
    {
        Assert.Equal((0.1, 0.4), Plots.MmluPlots.ColourRange(new double[,] { { 0.18, 0.33 }, { 0.27, double.NaN } }));
        Assert.Equal((0.2, 0.9), Plots.MmluPlots.ColourRange(new double[,] { { 0.9, 0.6 } }));
        Assert.Equal((0.2, 0.3), Plots.MmluPlots.ColourRange(new double[,] { { 0.25 } }));
    }

    /// <summary>Distinct saturated colours (not white, grey or black) in the central half of the image.</summary>
    public static int ColouredPixelsInTheMiddle(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var colours = new HashSet<uint>();
        for (int y = bitmap.Height / 4; y < bitmap.Height * 3 / 4; y++)
            for (int x = bitmap.Width / 4; x < bitmap.Width * 3 / 4; x++)
            {
                var c = bitmap.GetPixel(x, y);
                int max = Math.Max(c.Red, Math.Max(c.Green, c.Blue)), min = Math.Min(c.Red, Math.Min(c.Green, c.Blue));
                if (max - min > 40) colours.Add((uint)c);
            }
        return colours.Count;
    }
}
