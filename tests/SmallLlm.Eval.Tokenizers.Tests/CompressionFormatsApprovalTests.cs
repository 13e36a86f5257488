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

    private static void Verify(string name, string actual) =>
        ApprovedFile.Verify(name, actual.Replace(RepoPaths.Root + Path.DirectorySeparatorChar, "<repo>/"));
}
