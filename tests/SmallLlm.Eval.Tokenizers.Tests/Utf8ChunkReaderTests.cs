using System.Text;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Tokenizers.Tests;

public class Utf8ChunkReaderTests
{
    [Fact]
    public void Multibyte_characters_split_between_reads_are_decoded_whole()
    {
        // 3-byte characters with a 4,096-byte read buffer: many reads end inside a character.
        string text = string.Concat(Enumerable.Repeat("世界和平\n", 5000));
        var reader = new Utf8ChunkReader((s, i) => true, chunkChars: 4096);
        var chunks = reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();
        Assert.True(chunks.Count > 5);
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), chunks.Sum(c => c.Bytes));
        Assert.All(chunks, c => Assert.Equal(0, c.InvalidSequences));
        Assert.All(chunks.SkipLast(1), c => Assert.EndsWith("\n", c.Text));
    }

    [Fact]
    public void One_huge_line_is_cut_at_safe_word_boundaries_into_bounded_pieces()
    {
        // 2 MB of one line: pieces of about chunkChars, cut where the tokenizers allow, between words, never forced.
        string text = string.Concat(Enumerable.Repeat("the quick brown fox jumps ", 80_000));
        var reader = new Utf8ChunkReader((s, i) => s[i] == ' ', chunkChars: 16_384);
        var chunks = reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
        Assert.True(chunks.Count > 100, $"{chunks.Count} pieces");
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 2 * 16_384 + 4096, $"a piece of {c.Text.Length} characters"));
        Assert.All(chunks, c => Assert.False(c.ForcedCut));
        Assert.All(chunks.Skip(1), c => Assert.StartsWith(" ", c.Text)); // cut before a space: no word split
    }

    [Fact]
    public void A_long_line_without_a_safe_cut_is_cut_anyway_and_marked()
    {
        string text = new string('x', 50_000);
        var reader = new Utf8ChunkReader((s, i) => false, chunkChars: 4096, maxChunkChars: 10_000);
        var chunks = reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
        Assert.Contains(chunks, c => c.ForcedCut);
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 14_000));
    }

    [Fact]
    public void An_empty_file_is_one_empty_piece()
    {
        var chunks = new Utf8ChunkReader((s, i) => true).Read(new MemoryStream()).ToList();
        var only = Assert.Single(chunks);
        Assert.Equal("", only.Text);
        Assert.Equal(0, only.Bytes);
    }

    [Fact]
    public void Invalid_bytes_at_the_end_of_the_file_are_counted()
    {
        var chunks = new Utf8ChunkReader((s, i) => true).Read(new MemoryStream([(byte)'a', 0xE4, 0xB8])).ToList();
        var only = Assert.Single(chunks);
        Assert.Equal("a\uFFFD", only.Text);
        Assert.Equal(1, only.InvalidSequences);
        Assert.Equal(3, only.Bytes);
    }
}
