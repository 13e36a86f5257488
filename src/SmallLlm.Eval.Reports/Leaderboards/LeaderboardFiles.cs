using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Reports.Plots;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// Everything a results folder gets after a run: leaderboard.md/.csv/.html (and leaderboard-kld.csv when runs compared
/// models with `smalleval kld`) and the plots (plots/*.png and .svg) that apply to its results; the HTML page embeds
/// the PNGs. Each file is written to a temporary name and renamed into place, as results are.
/// </summary>
public static class LeaderboardFiles
{
    /// <summary>Writes into <paramref name="outputDir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(Leaderboard board, string outputDir)
    {
        Directory.CreateDirectory(outputDir);
        var plots = SavePlots(board, Path.Combine(outputDir, "plots"));
        var written = new List<string>();
        void Save(string name, string text)
        {
            string path = Path.Combine(outputDir, name);
            AtomicFile.WriteText(path, text);
            written.Add(path);
        }
        Save("leaderboard.md", LeaderboardMarkdown.Render(board));
        Save("leaderboard.csv", LeaderboardCsv.Render(board));
        Save("leaderboard.html", LeaderboardHtml.Render(board, plots));
        if (LeaderboardCsv.RenderKld(board) is { } kld) Save("leaderboard-kld.csv", kld);
        written.AddRange(plots.Select(p => p.PngPath));
        return written;
    }

    /// <summary>The plots that apply to these results (MMLU plots only with MMLU, pass@k only with code tasks).</summary>
    public static List<(string Title, string PngPath)> SavePlots(Leaderboard board, string plotsDir)
    {
        var plots = new List<(string, string)>();
        void Add(string title, string? png) { if (png is not null) plots.Add((title, png)); }
        Add("Headline accuracy per task", LeaderboardBarPlot.Save(board, Path.Combine(plotsDir, "leaderboard")));
        Add("MMLU accuracy per category", MmluPlots.SaveCategories(board, Path.Combine(plotsDir, "mmlu_categories")));
        Add("MMLU accuracy per subject", MmluPlots.SaveSubjectHeatmap(board, Path.Combine(plotsDir, "mmlu_subjects")));
        Add("Code completion: pass@k", PassAtKPlot.Save(board, Path.Combine(plotsDir, "pass_at_k")));
        return plots;
    }
}
