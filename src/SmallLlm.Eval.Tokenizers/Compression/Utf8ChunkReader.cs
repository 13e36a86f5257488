using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>A piece of a file's text, with the bytes it came from and the invalid UTF-8 sequences replaced in it.</summary>
public sealed record TextChunk(int Index, string Text, long Bytes, long InvalidSequences, bool ForcedCut);

/// <summary>
/// Streams a file as text in pieces of about <c>chunkChars</c> characters, never holding the whole file. Pieces end
/// where every tokenizer accepts a cut (so counts add up exactly), after a line end where possible, else anywhere in
/// a long line; a piece that finds no such place within
/// <c>maxChunkChars</c> is cut anyway and marked. Invalid UTF-8 becomes U+FFFD (one per maximal invalid subpart, as
/// .NET and WHATWG decode it) and is counted; bytes are counted as they are in the file.
/// </summary>
public sealed class Utf8ChunkReader(Func<string, int, bool> isSafeCut, int chunkChars = 1 << 20, int maxChunkChars = 1 << 26)
{
    public IEnumerable<TextChunk> Read(Stream stream)
    {
        var buffer = new byte[Math.Max(4096, chunkChars)];
        int carry = 0; // bytes of an incomplete UTF-8 sequence at the end of the previous read
        var pending = new StringBuilder();
        long pendingBytes = 0, pendingInvalid = 0;
        int index = 0;
        while (true)
        {
            int read = stream.ReadAtLeast(buffer.AsSpan(carry), buffer.Length - carry, throwOnEndOfStream: false);
            int total = carry + read;
            bool eof = read == 0 || total < buffer.Length;
            int complete = eof ? total : CompleteLength(buffer.AsSpan(0, total));
            var (text, invalid) = Decode(buffer.AsSpan(0, complete));
            pending.Append(text);
            pendingBytes += complete;
            pendingInvalid += invalid;
            carry = total - complete;
            buffer.AsSpan(complete, carry).CopyTo(buffer);

            if (eof)
            {
                if (pending.Length > 0 || index == 0) yield return new TextChunk(index, pending.ToString(), pendingBytes, pendingInvalid, false);
                yield break;
            }
            if (pending.Length < chunkChars) continue;
            string all = pending.ToString();
            int cut = FindCut(all);
            bool forced = false;
            if (cut <= 0)
            {
                if (all.Length < maxChunkChars) continue;
                cut = char.IsHighSurrogate(all[^1]) ? all.Length - 1 : all.Length;
                forced = true;
            }
            // Bytes are assigned to pieces by the UTF-8 length of their text, invalid bytes to the piece that had them.
            long headBytes = cut == all.Length ? pendingBytes : Math.Min(pendingBytes, Encoding.UTF8.GetByteCount(all.AsSpan(0, cut)));
            yield return new TextChunk(index++, all[..cut], headBytes, pendingInvalid, forced);
            pending.Clear().Append(all.AsSpan(cut));
            pendingBytes -= headBytes;
            pendingInvalid = 0;
        }
    }

    private int FindCut(string text)
    {
        for (int i = text.Length - 1; i > 0; i--)
            if (text[i - 1] == '\n' && isSafeCut(text, i)) return i;
        // No line end to cut at (a corpus of one huge line): a word boundary every tokenizer accepts, from the end back,
        // so a piece stays about chunkChars long and memory stays bounded however long the line is (and no word is
        // split between pieces, so word counts stay exact).
        for (int i = text.Length - 1, stop = Math.Max(1, text.Length - chunkChars); i >= stop; i--)
            if ((char.IsWhiteSpace(text[i - 1]) || char.IsWhiteSpace(text[i])) && isSafeCut(text, i)) return i;
        return -1;
    }

    /// <summary>Length of <paramref name="bytes"/> without a trailing incomplete (but so far valid) UTF-8 sequence.</summary>
    internal static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // continuation byte: look further back
            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }

    internal static (string Text, long Invalid) Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return (Encoding.UTF8.GetString(bytes), 0);
        long invalid = 0;
        for (var rest = bytes; !rest.IsEmpty;)
        {
            if (Rune.DecodeFromUtf8(rest, out _, out int consumed) != OperationStatus.Done) invalid++;
            rest = rest[consumed..];
        }
        return (Encoding.UTF8.GetString(bytes), invalid);
    }
}
