using System.Text;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Tokenizers.Tests;

public class CorpusCounterTests
{
    private static readonly string Corpora = Path.Combine(RepoPaths.Root, "tasks", "tokenizer_compression", "corpora");
    private static readonly string[] All = ["llama2", "llama3", "cl100k_base", "o200k_base", "gpt2", "tok512"];

    [Fact]
    public void Counting_in_small_pieces_gives_the_counts_of_whole_files()
    {
        var tokenizers = All.Select(TokenizerCatalog.Resolve).ToArray();
        // 4 KB pieces force hundreds of cuts in English, code and Hindi/Chinese text.
        var counter = new CorpusCounter(tokenizers, degreeOfParallelism: 2, chunkChars: 4096);
        string[] corpora = [Path.Combine(Corpora, "english"), Path.Combine(Corpora, "code", "python"), Path.Combine(Corpora, "udhr", "hin.txt"), Path.Combine(Corpora, "udhr", "cmn_hans.txt")];
        var report = counter.Count(corpora);
        Assert.Empty(report.Skipped);
        foreach (var row in report.Files)
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(row.File.Path));
            Assert.Equal(new FileInfo(row.File.Path).Length, row.Counts.Bytes);
            Assert.Equal(text.EnumerateRunes().Count(), row.Counts.Characters);
            Assert.Equal(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, row.Counts.Words);
            Assert.Equal(0, row.Counts.ForcedCuts);
            for (int t = 0; t < tokenizers.Length; t++)
                Assert.True(tokenizers[t].CountTokens(text) == row.Counts.Tokens[t],
                    $"{row.File.RelativePath} {tokenizers[t].Name}: whole {tokenizers[t].CountTokens(text)}, in pieces {row.Counts.Tokens[t]}");
        }
        Assert.True(report.Files.Count >= 11);
    }

    [Fact]
    public void A_corpus_of_one_huge_line_is_counted_in_bounded_pieces_with_the_counts_of_the_whole()
    {
        // English and code with every line end made a space: one line, cut only between words, never forced.
        var tokenizers = All.Select(TokenizerCatalog.Resolve).ToArray();
        string text = string.Join(" ", Directory.GetFiles(Path.Combine(Corpora, "english")).Order(StringComparer.Ordinal)
            .Select(f => File.ReadAllText(f).Replace("\r", " ").Replace('\n', ' ')));
        string file = Path.Combine(Directory.CreateTempSubdirectory("one-line-").FullName, "one-line.txt");
        File.WriteAllText(file, text);
        try
        {
            var report = new CorpusCounter(tokenizers, degreeOfParallelism: 2, chunkChars: 4096).Count([file]);
            var counts = Assert.Single(report.Files).Counts;
            Assert.Equal(0, counts.ForcedCuts);
            Assert.Equal(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, counts.Words);
            for (int t = 0; t < tokenizers.Length; t++)
                Assert.True(tokenizers[t].CountTokens(text) == counts.Tokens[t],
                    $"{tokenizers[t].Name}: whole {tokenizers[t].CountTokens(text)}, in pieces {counts.Tokens[t]}");
            // Pieces of about 4,096 characters: the reader never held the line whole.
            var pieces = new Utf8ChunkReader(new CorpusCounter(tokenizers).IsSafeCut, chunkChars: 4096).Read(File.OpenRead(file)).ToList();
            Assert.True(pieces.Count > text.Length / 16_384, $"{pieces.Count} pieces for {text.Length} characters");
            Assert.All(pieces, p => Assert.True(p.Text.Length <= 3 * 4096 + 4096, $"a piece of {p.Text.Length} characters"));
        }
        finally { Directory.Delete(Path.GetDirectoryName(file)!, recursive: true); }
    }

    [Fact]
    public void Rows_have_each_file_a_total_per_folder_and_a_corpus_total()
    {
        var counter = new CorpusCounter([TokenizerCatalog.Resolve("gpt2")]);
        var report = counter.Count([Path.Combine(Corpora, "code")]);
        var rows = report.Rows();
        Assert.Equal(report.Files.Count, rows.Count(r => r.Kind == RowKind.File));
        Assert.Equal(8, rows.Count(r => r.Kind == RowKind.Folder));
        var total = Assert.Single(rows, r => r.Kind == RowKind.Corpus);
        Assert.Equal(report.Files.Sum(f => f.Counts.Tokens[0]), total.Counts.Tokens[0]);
    }

    [Fact]
    public void Binary_files_are_skipped_and_counted_and_invalid_utf8_is_replaced_and_counted()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("ok.txt"), "héllo wörld\n"u8.ToArray());
        File.WriteAllBytes(dir.File("bad.txt"), [(byte)'a', 0xFF, (byte)'b', 0xC3, (byte)' ', (byte)'c']);
        File.WriteAllBytes(dir.File("image.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 13]);
        File.CreateSymbolicLink(dir.File("dangling.txt"), dir.File("missing-target"));
        var report = new CorpusCounter([TokenizerCatalog.Resolve("llama3")]).Count([dir.Path]);
        Assert.Equal(2, report.Files.Count);
        Assert.Contains(report.Skipped, s => s.Path.EndsWith("image.png") && s.Reason.Contains("binary"));
        Assert.Contains(report.Skipped, s => s.Path.EndsWith("dangling.txt") && s.Reason.Contains("unreadable"));
        var bad = report.Files.Single(f => f.File.RelativePath == "bad.txt").Counts;
        Assert.Equal(6, bad.Bytes);        // bytes as in the file
        Assert.Equal(2, bad.InvalidSequences); // 0xFF and the truncated 0xC3
        Assert.Equal(6, bad.Characters);   // a, U+FFFD, b, U+FFFD, space, c
        Assert.Equal(2, report.InvalidSequences);
        Assert.Contains("2 invalid UTF-8 sequences", CompressionFormats.Markdown(report));
        Assert.Contains("2 files skipped", CompressionFormats.Markdown(report));
    }

    [Fact]
    public void A_missing_corpus_or_a_folder_without_text_is_bad_input()
    {
        using var dir = new TempFolder();
        var counter = new CorpusCounter([TokenizerCatalog.Resolve("gpt2")]);
        var missing = Assert.Throws<FileNotFoundException>(() => counter.Count([dir.File("nope")]));
        Assert.Contains("nope", missing.Message);
        File.WriteAllBytes(dir.File("x.bin"), [1, 0, 2]);
        var empty = Assert.Throws<InvalidDataException>(() => counter.Count([dir.Path]));
        Assert.Contains("no readable text files", empty.Message);
        var binary = Assert.Throws<InvalidDataException>(() => counter.Count([dir.File("x.bin")]));
        Assert.Contains("not text", binary.Message);
    }

    [Fact]
    public void Json_gives_per_file_counts()
    {
        var report = new CorpusCounter([TokenizerCatalog.Resolve("llama2"), TokenizerCatalog.Resolve("llama3")])
            .Count([Path.Combine(Corpora, "english", "tinystories_sample.txt")]);
        using var doc = System.Text.Json.JsonDocument.Parse(CompressionFormats.Json(report));
        var file = doc.RootElement.GetProperty("corpora")[0].GetProperty("files")[0];
        Assert.Equal("tinystories_sample.txt", file.GetProperty("path").GetString());
        long llama2 = file.GetProperty("counts").GetProperty("tokens").GetProperty("llama2").GetInt64();
        long llama3 = file.GetProperty("counts").GetProperty("tokens").GetProperty("llama3").GetInt64();
        string text = File.ReadAllText(Path.Combine(Corpora, "english", "tinystories_sample.txt"));
        Assert.Equal(TokenizerCatalog.Resolve("llama2").CountTokens(text), llama2);
        Assert.Equal(TokenizerCatalog.Resolve("llama3").CountTokens(text), llama3);
        Assert.True(llama3 < llama2);
    }
}

public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("smalleval-tok-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
