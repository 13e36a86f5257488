namespace SmallLlm.Eval.Tokenizers.Compression;

public sealed record FileRow(CorpusFile File, FileCounts Counts);

public enum RowKind { File, Folder, Corpus }

/// <summary>A row of the comparison: a file, the total of a folder, or the total of a corpus.</summary>
public sealed record CompressionRow(string Corpus, string Name, RowKind Kind, FileCounts Counts);

/// <summary>The counts of a comparison, with the derived ratios.</summary>
public sealed record CompressionReport(
    IReadOnlyList<string> Tokenizers,
    IReadOnlyList<string> Corpora,
    IReadOnlyList<FileRow> Files,
    IReadOnlyList<SkippedFile> Skipped,
    TimeSpan Elapsed)
{
    public long TotalBytes => Files.Sum(f => f.Counts.Bytes);

    public long InvalidSequences => Files.Sum(f => f.Counts.InvalidSequences);

    /// <summary>Per corpus: its files, a total for each folder holding files (when there is more than one folder or
    /// the folder is not the corpus root), then the corpus total.</summary>
    public IReadOnlyList<CompressionRow> Rows()
    {
        var rows = new List<CompressionRow>();
        foreach (string corpus in Corpora)
        {
            var files = Files.Where(f => f.File.Corpus == corpus).ToList();
            if (files.Count == 0) continue;
            var folders = files.GroupBy(f => f.File.Folder).ToList();
            foreach (var folder in folders)
            {
                foreach (var f in folder) rows.Add(new CompressionRow(corpus, f.File.RelativePath, RowKind.File, f.Counts));
                if (folders.Count > 1 && folder.Count() > 1) rows.Add(new CompressionRow(corpus, folder.Key + "/", RowKind.Folder, Sum(folder)));
            }
            if (files.Count > 1) rows.Add(new CompressionRow(corpus, "total", RowKind.Corpus, Sum(files)));
        }
        return rows;
    }

    public FileCounts CorpusTotal(string corpus) => Sum(Files.Where(f => f.File.Corpus == corpus));

    private FileCounts Sum(IEnumerable<FileRow> files)
    {
        var total = new FileCounts(Tokenizers.Count);
        foreach (var f in files) total.Add(f.Counts);
        return total;
    }

    public static double BytesPerToken(FileCounts c, int t) => c.Tokens[t] == 0 ? double.NaN : (double)c.Bytes / c.Tokens[t];

    public static double TokensPerWord(FileCounts c, int t) => c.Words == 0 ? double.NaN : (double)c.Tokens[t] / c.Words;

    /// <summary>Change in token count against the first tokenizer, in percent (negative: fewer tokens).</summary>
    public static double ChangePercent(FileCounts c, int t) => c.Tokens[0] == 0 ? double.NaN : 100.0 * (c.Tokens[t] - c.Tokens[0]) / c.Tokens[0];

    /// <summary>How many bytes of this text a context of <paramref name="contextTokens"/> tokens holds, on average.</summary>
    public static double BytesInContext(FileCounts c, int t, int contextTokens) => contextTokens * BytesPerToken(c, t);
}
