using SmallLlm.Eval.Reports;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>Charts of a comparison: tokens per byte per corpus, and per language for corpora of many files.</summary>
public static class TokenizersCharts
{
    /// <summary>Saves the chart(s) and returns their paths: <paramref name="png"/>, then png-stem.corpus.png per multilingual corpus.</summary>
    public static List<string> Save(CompressionReport report, string png)
    {
        var written = new List<string>();
        var corpora = report.Corpora.Where(c => report.Files.Any(f => f.File.Corpus == c)).ToList();
        var values = new double[corpora.Count, report.Tokenizers.Count];
        for (int c = 0; c < corpora.Count; c++)
        {
            var total = report.CorpusTotal(corpora[c]);
            for (int t = 0; t < report.Tokenizers.Count; t++) values[c, t] = 1 / CompressionReport.BytesPerToken(total, t);
        }
        GroupedBarChart.SavePng(new GroupedBarData("Tokens per byte (lower is better)", "tokens / byte",
            corpora.Select(Label).ToArray(), report.Tokenizers, values), png);
        written.Add(png);

        // A corpus of several files named by language (udhr/eng.txt, flores/hin_Deva.txt) gets its own chart.
        foreach (string corpus in corpora)
        {
            var files = report.Files.Where(f => f.File.Corpus == corpus).ToList();
            if (files.Count < 3 || files.Any(f => f.File.Folder != ".")) continue;
            var perFile = new double[files.Count, report.Tokenizers.Count];
            for (int f = 0; f < files.Count; f++)
                for (int t = 0; t < report.Tokenizers.Count; t++) perFile[f, t] = 1 / CompressionReport.BytesPerToken(files[f].Counts, t);
            string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(png))!, $"{Path.GetFileNameWithoutExtension(png)}.{Label(corpus)}.png");
            GroupedBarChart.SavePng(new GroupedBarData($"Tokens per byte by language: {Label(corpus)}", "tokens / byte",
                files.Select(f => Path.GetFileNameWithoutExtension(f.File.RelativePath)).ToArray(), report.Tokenizers, perFile), path);
            written.Add(path);
        }
        return written;
    }

    private static string Label(string corpus) => Path.GetFileName(Path.TrimEndingDirectorySeparator(corpus)) is { Length: > 0 } n ? n : corpus;
}
