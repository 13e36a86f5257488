using System.Globalization;
using CsvHelper;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>
/// The Markdown and CSV of a real comparison (English corpus, llama2 vs llama3) against approved files in Approved/
/// (<see cref="ApprovedFile"/>).
/// </summary>
public class CompressionFormatsApprovalTests
{
    private static readonly Lazy<CompressionReport> Report = new(() =>
    {
        string corpus = Path.Combine(RepoPaths.Root, "tasks", "tokenizer_compression", "corpora", "english");
        var report = new CorpusCounter([TokenizerCatalog.Resolve("llama2"), TokenizerCatalog.Resolve("llama3")]).Count([corpus]);
        return report with { Elapsed = TimeSpan.Zero };
    });

    [Fact]
    public void Markdown_matches_the_approved_file() => Verify("compare_english.md", CompressionFormats.Markdown(Report.Value));

    [Fact]
    public void Csv_matches_the_approved_file() => Verify("compare_english.csv", CompressionFormats.Csv(Report.Value));

    [Fact]
    public void Csv_keeps_commas_quotes_and_line_breaks_in_corpus_and_file_names()
    {
        using var dir = new TempFolder();
        string corpus = dir.File("a,b \"c\"");
        Directory.CreateDirectory(corpus);
        const string name = "line\nbreak.txt"; // the hand-written CSV quoted commas and quotes, not line breaks
        File.WriteAllText(System.IO.Path.Combine(corpus, name), "Hello world.\n");
        var report = new CorpusCounter([TokenizerCatalog.Resolve("tok512")]).Count([corpus]);

        using var reader = new CsvReader(new StringReader(CompressionFormats.Csv(report)), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        Assert.True(reader.Read());
        Assert.Equal(corpus, reader.GetField("corpus"));
        Assert.Equal(name, reader.GetField("name"));
        Assert.Equal(TokenizerCatalog.Resolve("tok512").CountTokens("Hello world.\n"), reader.GetField<long>("tokens"));
        Assert.False(reader.Read());
    }

    private static void Verify(string name, string actual) =>
        ApprovedFile.Verify(name, actual.Replace(RepoPaths.Root + Path.DirectorySeparatorChar, "<repo>/"));
}
