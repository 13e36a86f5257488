using System.Runtime.CompilerServices;
using System.Text;
using SmallLlm.Eval.Tokenizers.Bpe;

namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>
/// llama2.c's tokenizer (tok*.bin: int32 max_token_length, then per token float32 score, int32 length, UTF-8 bytes)
/// with run.c's encode: a dummy-prefix " " token, one token per character found in the vocabulary and raw-byte tokens
/// (id = byte + 3) otherwise, then repeated merges of the adjacent pair whose concatenated text has the highest score
/// (the first such pair on ties). Ids 0, 1, 2 are &lt;unk&gt;, BOS, EOS and decode to nothing.
/// </summary>
public sealed class Llama2CTokenizer : SegmentTokenizer
{
    private const int ByteOffset = 3;
    private readonly string[] _vocab;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _lookup = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly PairMerger _merger;
    private readonly HashSet<int> _bigrams = [];
    private readonly int _spaceId;
    // A segment may end before a space after this character (see IsSafeCut).
    private readonly bool[] _cutAfter = new bool[char.MaxValue + 1];

    public Llama2CTokenizer(string name, string[] vocab, float[] scores)
    {
        Name = name;
        _vocab = vocab;
        _scores = scores;
        for (int i = 0; i < vocab.Length; i++) _lookup.TryAdd(vocab[i], i);
        _spanLookup = _lookup.GetAlternateLookup<ReadOnlySpan<char>>();
        _spaceId = _lookup.GetValueOrDefault(" ", -1);
        var pairs = new Dictionary<long, (int, float)>();
        for (int id = 0; id < vocab.Length; id++)
        {
            string s = vocab[id];
            for (int i = 1; i < s.Length; i++) _bigrams.Add((s[i - 1] << 16) | s[i]);
            // run.c starts from best_score = -1e10 and needs a strictly higher score to merge.
            if (scores[id] <= -1e10f) continue;
            for (int i = 1; i < s.Length; i++)
            {
                if (char.IsLowSurrogate(s[i])) continue;
                if (_lookup.TryGetValue(s[..i], out int left) && _lookup.TryGetValue(s[i..], out int right))
                    pairs.TryAdd(PairMerger.PairKey(left, right), (_lookup[s], scores[id]));
            }
        }
        _merger = new PairMerger(pairs);
        for (int c = 0; c <= char.MaxValue; c++)
            _cutAfter[c] = c != ' ' && !char.IsSurrogate((char)c) && !_bigrams.Contains((LastSymbolChar((char)c) << 16) | FirstSymbolChar(' '));
    }

    public static Llama2CTokenizer Read(byte[] data, string name, string source)
    {
        if (data.Length < 4) throw new InvalidDataException($"{source}: too short for a llama2.c tokenizer (needs a 4-byte max_token_length header)");
        int maxLen = BitConverter.ToInt32(data, 0);
        if (maxLen <= 0 || maxLen > 4096) throw new InvalidDataException($"{source}: max_token_length {maxLen} at byte 0 is not plausible for a llama2.c tokenizer");
        var vocab = new List<string>();
        var scores = new List<float>();
        int pos = 4;
        var utf8 = new UTF8Encoding(false, true);
        while (pos < data.Length)
        {
            if (pos + 8 > data.Length) throw new InvalidDataException($"{source}: token #{vocab.Count} at byte {pos}: truncated score/length header");
            float score = BitConverter.ToSingle(data, pos);
            int len = BitConverter.ToInt32(data, pos + 4);
            if (len < 0 || len > maxLen || pos + 8 + len > data.Length)
                throw new InvalidDataException($"{source}: token #{vocab.Count} at byte {pos}: length {len} is invalid (max_token_length {maxLen}, {data.Length - pos - 8} bytes left)");
            string text;
            try { text = utf8.GetString(data, pos + 8, len); }
            catch (DecoderFallbackException) { throw new InvalidDataException($"{source}: token #{vocab.Count} at byte {pos}: text is not valid UTF-8"); }
            vocab.Add(text);
            scores.Add(score);
            pos += 8 + len;
        }
        if (vocab.Count < ByteOffset + 256) throw new InvalidDataException($"{source}: only {vocab.Count} tokens; a llama2.c tokenizer has <unk>, <s>, </s> and 256 byte tokens first");
        return new Llama2CTokenizer(name, vocab.ToArray(), scores.ToArray());
    }

    public override string Name { get; }
    public override int VocabSize => _vocab.Length;
    public override int? BosId => 1;
    public override int? EosId => 2;

    // Symbols show their vocabulary text; a character outside the vocabulary becomes "<0xXX>" tokens.
    private char LastSymbolChar(char c) => _spanLookup.ContainsKey([c]) ? c : '>';

    private char FirstSymbolChar(char c) => _spanLookup.ContainsKey([c]) ? c : '<';

    public override bool IsSafeCut(ReadOnlySpan<char> text, int index)
    {
        if (index <= 0 || index >= text.Length) return false;
        if (char.IsSurrogate(text[index - 1]) || char.IsSurrogate(text[index])) return false;
        return !_bigrams.Contains((LastSymbolChar(text[index - 1]) << 16) | FirstSymbolChar(text[index]));
    }

    protected override int EncodeInto(string text, bool continuation, List<int>? output)
    {
        if (text.Length == 0) return 0;
        // run.c adds the " " token first; merging it with the text is the same as encoding " " + text.
        ReadOnlySpan<char> s = !continuation && _spaceId >= 0 ? " " + text : text;
        var cache = Cache;
        int count = 0;
        foreach (var segment in new SpaceCuts(s, ' ', _cutAfter)) count += Emit(segment, cache, output);
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        int start = ids.Count;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < segment.Length;)
        {
            int len = char.IsHighSurrogate(segment[i]) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]) ? 2 : 1;
            if (_spanLookup.TryGetValue(segment.Slice(i, len), out int id)) ids.Add(id);
            else
            {
                var rune = len == 2 ? new Rune(segment[i], segment[i + 1]) : Rune.IsValid(segment[i]) ? new Rune(segment[i]) : Rune.ReplacementChar;
                int count = rune.EncodeToUtf8(utf8);
                for (int b = 0; b < count; b++) ids.Add(utf8[b] + ByteOffset);
            }
            i += len;
        }
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids)[start..];
        int n = _merger.Merge(keys);
        ids.RemoveRange(start + n, keys.Length - n);
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        bool first = true;
        foreach (int id in ids)
        {
            if (id < 0 || id >= _vocab.Length) throw new ArgumentException($"token id {id} is outside the vocabulary (0..{_vocab.Length - 1})");
            if (id < ByteOffset) continue;
            if (id < ByteOffset + 256) bytes.Add((byte)(id - ByteOffset));
            else
            {
                string piece = _vocab[id];
                // As run.c's decode after BOS: the dummy-prefix space is not part of the text.
                if (first && piece.StartsWith(' ')) piece = piece[1..];
                bytes.AddRange(Encoding.UTF8.GetBytes(piece));
            }
            first = false;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The piece's merge score, as the tokenizer file gives it.</summary>
    public float Score(int id) => _scores[id];

    public override string IdToPiece(int id)
    {
        if (id < 0 || id >= _vocab.Length) throw new ArgumentException($"token id {id} is outside the vocabulary (0..{_vocab.Length - 1})");
        return _vocab[id];
    }
}
