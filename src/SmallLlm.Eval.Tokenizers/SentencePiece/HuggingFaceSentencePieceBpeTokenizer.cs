using System.Text;
using SmallLlm.Eval.Tokenizers.Bpe;
using SmallLlm.Eval.Tokenizers.HuggingFace;

namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>
/// Hugging Face BPE in SentencePiece style (tokenizer.json of Llama 2, Mistral, TinyLlama): spaces become U+2581, a
/// U+2581 is prepended (Prepend normalizer: always; Metaspace: when the text does not already start with one), one
/// symbol per character, merges by merge rank (lowest first, leftmost among equal ranks), characters outside the
/// vocabulary to &lt;0xXX&gt; byte tokens (byte_fallback) or to unk. Added tokens are split out of the text first, as
/// Hugging Face tokenizers does; each piece of text between them is then normalized on its own, so the Prepend
/// normalizer gives every piece its U+2581 (Metaspace "first": only a piece at the start of the text). Special tokens
/// decode to nothing.
/// </summary>
public sealed class HuggingFaceSentencePieceBpeTokenizer : SegmentTokenizer
{
    private const char Space = '\u2581';
    private readonly string[] _pieces;
    private readonly HashSet<int> _special;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _byteIds = new int[256];
    private readonly PairMerger _merger;
    private readonly HashSet<int> _bigrams = [];
    // A segment ends before a space after this character: always with split_at_spaces, else after a non-space that
    // no piece holds followed by a space.
    private readonly bool[] _cutAfter = new bool[char.MaxValue + 1];
    private readonly Options _options;

    public sealed record Options(bool Prepend, bool PrependOnlyIfMissing, bool SplitAtSpaces, bool ByteFallback, int? UnkId, bool FuseUnk,
        bool PrependFirstPieceOnly = false);

    private readonly AddedTokenSplitter _addedTokens;

    public HuggingFaceSentencePieceBpeTokenizer(string name, Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyDictionary<string, int> specialTokens, Options options, int? bosId, int? eosId, string source,
        IReadOnlyList<AddedToken>? addedTokens = null)
    {
        Name = name;
        _options = options;
        _addedTokens = new AddedTokenSplitter(addedTokens ?? []);
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        int size = Math.Max(vocab.Values.DefaultIfEmpty(-1).Max() + 1, specialTokens.Values.DefaultIfEmpty(-1).Max() + 1);
        _pieces = new string[size];
        foreach (var (piece, id) in vocab)
        {
            _pieces[id] = piece;
            for (int i = 1; i < piece.Length; i++) _bigrams.Add((piece[i - 1] << 16) | piece[i]);
        }
        foreach (var (text, id) in specialTokens) _pieces[id] ??= text;
        _special = specialTokens.Values.ToHashSet();
        Array.Fill(_byteIds, -1);
        for (int b = 0; b < 256; b++) if (vocab.TryGetValue($"<0x{b:X2}>", out int id)) _byteIds[b] = id;
        if (options.ByteFallback && Array.IndexOf(_byteIds, -1) >= 0)
            throw new InvalidDataException($"{source}: model.byte_fallback is true but model.vocab lacks some of the 256 <0xXX> tokens");
        var pairs = new Dictionary<long, (int, float)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            int l = KeyOf(left), r = KeyOf(right);
            if (l == NoKey || r == NoKey || !vocab.TryGetValue(left + right, out int m))
                throw new InvalidDataException($"{source}: model.merges[{rank}] '{left} {right}': a part or the merged token is not in model.vocab");
            pairs.TryAdd(PairMerger.PairKey(l, r), (m, -rank));
        }
        _merger = new PairMerger(pairs);
        for (int c = 0; c <= char.MaxValue; c++) _cutAfter[c] = options.SplitAtSpaces || (c != Space && !_bigrams.Contains((c << 16) | Space));
        BosId = bosId;
        EosId = eosId;
    }

    private const int NoKey = int.MinValue;

    private int KeyOf(ReadOnlySpan<char> s)
    {
        if (_lookup.TryGetValue(s, out int id)) return id;
        if (s.Length == 1 && !char.IsSurrogate(s[0])) return -1 - s[0];
        if (s.Length == 2 && char.IsSurrogatePair(s[0], s[1])) return -1 - char.ConvertToUtf32(s[0], s[1]);
        return NoKey;
    }

    public override string Name { get; }
    public override int VocabSize => _pieces.Length;
    public override int? BosId { get; }
    public override int? EosId { get; }

    public override bool IsSafeCut(ReadOnlySpan<char> text, int index)
    {
        if (index <= 0 || index >= text.Length || (_options.UnkId != null && _options.FuseUnk)) return false;
        char a = text[index - 1] == ' ' ? Space : text[index - 1], b = text[index] == ' ' ? Space : text[index];
        if (char.IsHighSurrogate(a) && char.IsLowSurrogate(b)) return false;
        // A prepend only when missing would see the continuation's own leading space: never cut before one.
        return b != Space && !_bigrams.Contains((a << 16) | b);
    }

    protected override int EncodeInto(string text, bool continuation, List<int>? output)
    {
        if (text.Length == 0) return 0;
        if (_addedTokens.IsEmpty) return EncodeText(text, output, prepend: !continuation);
        int count = 0;
        foreach (var (offset, length, token) in _addedTokens.Split(text))
        {
            if (token is not null) { output?.Add(token.Id); count++; continue; }
            bool prepend = offset == 0 ? !continuation : !_options.PrependFirstPieceOnly;
            count += EncodeText(text.Substring(offset, length), output, prepend);
        }
        return count;
    }

    private int EncodeText(string text, List<int>? output, bool prepend)
    {
        if (text.Length == 0) return 0;
        int count = 0, last = int.MinValue;
        string s = text.Replace(' ', Space);
        if (_options.Prepend && prepend && !(_options.PrependOnlyIfMissing && s[0] == Space)) s = Space + s;
        var cache = Cache;
        foreach (var segment in new SpaceCuts(s, Space, _cutAfter))
        {
            foreach (int id in SegmentIds(segment, cache))
            {
                // fuse_unk: consecutive unknowns are one token, across segments too.
                if (_options.FuseUnk && id == _options.UnkId && last == id) continue;
                output?.Add(id);
                count++;
                last = id;
            }
        }
        return count;
    }

    protected override void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        var keys = new List<int>(segment.Length);
        for (int i = 0; i < segment.Length;)
        {
            int len = char.IsHighSurrogate(segment[i]) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]) ? 2 : 1;
            keys.Add(KeyOf(segment.Slice(i, len)) is var k && k != NoKey ? k : -1 - 0xFFFD);
            i += len;
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys);
        int n = _merger.Merge(span);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (int key in span[..n])
        {
            if (key >= 0) { ids.Add(key); continue; }
            if (_options.ByteFallback)
            {
                int count = new Rune(-1 - key).EncodeToUtf8(utf8);
                for (int b = 0; b < count; b++) ids.Add(_byteIds[utf8[b]]);
            }
            else if (_options.UnkId is int unk) ids.Add(unk);
            else throw new ArgumentException($"{Name}: character U+{-1 - key:X4} is not in the vocabulary and the tokenizer has neither byte_fallback nor an unk_token");
        }
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        bool first = true;
        foreach (int id in ids)
        {
            if (id < 0 || id >= _pieces.Length || _pieces[id] == null) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
            if (_special.Contains(id)) continue;
            string piece = _pieces[id];
            if (piece.Length == 6 && piece.StartsWith("<0x") && piece[5] == '>' && Array.IndexOf(_byteIds, id) is int b && b >= 0)
                bytes.Add((byte)b);
            else
            {
                string text = piece.Replace(Space, ' ');
                if (first && _options.Prepend && text.StartsWith(' ')) text = text[1..];
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
            }
            first = false;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override string IdToPiece(int id)
    {
        if (id < 0 || id >= _pieces.Length || _pieces[id] == null) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
        return _pieces[id];
    }
}
