using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Perplexity;

namespace SmallLlm.Eval.Tests.Tasks.Perplexity;

public sealed class PerplexityCorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ppl-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Binary_and_empty_files_are_skipped_with_counts()
    {
        File.WriteAllText(Path.Combine(_dir, "a.txt"), "One story.");
        File.WriteAllBytes(Path.Combine(_dir, "b.bin"), [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]);
        File.WriteAllText(Path.Combine(_dir, "c.txt"), "");
        File.WriteAllText(Path.Combine(_dir, "d.txt"), " \n\n ");
        var issues = new DataIssues(strict: false);
        var corpus = PerplexityCorpus.Read(_dir, DocumentSplit.File, null, issues);
        Assert.Single(corpus.Documents);
        Assert.Equal(1, corpus.BinaryFiles);
        Assert.Equal(2, corpus.EmptyFiles);
        Assert.Contains(issues.Warnings, w => w.Contains("b.bin") && w.Contains("binary"));
        Assert.Throws<InvalidDataException>(() => PerplexityCorpus.Read(_dir, DocumentSplit.File, null, new DataIssues(strict: true)));
    }

    [Fact]
    public void A_corpus_with_only_binary_or_empty_files_is_an_error()
    {
        File.WriteAllBytes(Path.Combine(_dir, "b.bin"), [1, 0, 2]);
        var e = Assert.Throws<InvalidDataException>(() => PerplexityCorpus.Read(_dir, DocumentSplit.File, null, new DataIssues(false)));
        Assert.Contains("1 binary", e.Message);
    }

    [Fact]
    public void Separator_split_trims_documents_skips_empty_ones_and_keeps_lines()
    {
        string file = Path.Combine(_dir, "s.txt");
        File.WriteAllText(file, "first\nstory\n<|endoftext|>\n<|endoftext|>\nsecond\n<|endoftext|>\n");
        var corpus = PerplexityCorpus.Read(file, DocumentSplit.Separator, "<|endoftext|>", new DataIssues(false));
        Assert.Equal(["first\nstory", "second"], corpus.Documents.Select(d => d.Text));
        Assert.EndsWith("s.txt:5", corpus.Documents[1].Source);
        Assert.Equal(2, corpus.EmptyDocuments);
    }

    [Fact]
    public void Bundled_wikitext_has_its_62_articles()
    {
        string file = Path.Combine(RepoPaths.Root, "tasks", "perplexity", "data", "wikitext2_test.tokens.txt");
        var corpus = PerplexityCorpus.Read(file, DocumentSplit.WikitextArticles, null, new DataIssues(true));
        Assert.Equal(62, corpus.Documents.Count);
        Assert.StartsWith(" \n = Robert <unk> = \n", corpus.Documents[0].Text);
        Assert.StartsWith(" = ", corpus.Documents[1].Text);
        // Every byte of the file lands in exactly one document (nothing dropped at the article cuts).
        Assert.Equal(new FileInfo(file).Length, corpus.Documents.Sum(d => System.Text.Encoding.UTF8.GetByteCount(d.Text)));
    }
}
