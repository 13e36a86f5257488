using SmallLlm.Eval.Reports;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>Charts of a comparison: tokens per byte per corpus, and per language for corpora of many files.</summary>
public static partial class TokenizersCharts
{
    /// <summary>Saves the chart(s) and returns their paths: <paramref name="png"/>, then png-stem.corpus.png per multilingual corpus.</summary>
    /// <param name="top">Per-language charts show the <paramref name="top"/> groups with the most bytes (a folder of 1,000 files must not make a 28,000-pixel chart).</param>
    public static List<string> Save(CompressionReport report, string png, int top = 30)
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

        // A corpus of several files or folders named by language (udhr/eng.txt, flores/hin_Deva.txt, code/rust/)
        // gets its own chart: one group per file, or per folder when the files sit in folders.
        foreach (string corpus in corpora)
        {
            var files = report.Files.Where(f => f.File.Corpus == corpus).ToList();
            bool byFile = files.All(f => f.File.Folder == ".");
            var groups = byFile
                ? files.Select(f => (Name: Path.GetFileNameWithoutExtension(f.File.RelativePath), Counts: f.Counts)).ToList()
                : files.GroupBy(f => f.File.Folder.Split('/')[0]).Select(g => (Name: g.Key, Counts: Sum(g, report.Tokenizers.Count))).ToList();
            if (groups.Count < 3) continue;
            int all = groups.Count;
            if (groups.Count > top) groups = groups.OrderByDescending(g => g.Counts.Bytes).Take(top).OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
            var perGroup = new double[groups.Count, report.Tokenizers.Count];
            for (int g = 0; g < groups.Count; g++)
                for (int t = 0; t < report.Tokenizers.Count; t++) perGroup[g, t] = 1 / CompressionReport.BytesPerToken(groups[g].Counts, t);
            string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(png))!, $"{Path.GetFileNameWithoutExtension(png)}.{Label(corpus)}.png");
            GroupedBarChart.SavePng(new GroupedBarData($"Tokens per byte by {GroupKind(groups.Select(g => g.Name).ToList(), byFile)}: {Label(corpus)}" + (all > groups.Count ? $" (largest {groups.Count} of {all})" : ""), "tokens / byte",
                groups.Select(g => g.Name).ToArray(), report.Tokenizers, perGroup), path);
            written.Add(path);
        }
        return written;
    }

    /// <summary>
    /// "language" only when most names are language codes (eng, hin_Deva, zh: ISO 639 with an optional ISO 15924
    /// script, as UDHR and FLORES name their files); an ordinary folder's files or sub-folders are just that.
    /// </summary>
    public static string GroupKind(IReadOnlyList<string> names, bool byFile) =>
        names.Count(n => LanguageCode().IsMatch(n)) * 5 >= names.Count * 4 ? "language" : byFile ? "file" : "folder";

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]{2,3}([_-][A-Za-z]{4})?$")]
    private static partial System.Text.RegularExpressions.Regex LanguageCode();

    private static FileCounts Sum(IEnumerable<FileRow> files, int tokenizers)
    {
        var total = new FileCounts(tokenizers);
        foreach (var f in files) total.Add(f.Counts);
        return total;
    }

    private static string Label(string corpus) => Path.GetFileName(Path.TrimEndingDirectorySeparator(corpus)) is { Length: > 0 } n ? n : corpus;
}
