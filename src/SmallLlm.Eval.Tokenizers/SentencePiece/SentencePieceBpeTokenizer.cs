using System.Runtime.CompilerServices;
using System.Text;
using SmallLlm.Eval.Tokenizers.Bpe;

namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece BPE encoding, exact to SentencePiece's C++ (bpe_model.cc): whitespace escaped to U+2581, a dummy-prefix
/// U+2581, one symbol per character, merges of the highest-scoring pair whose concatenation is a normal, user-defined
/// or unused piece (leftmost first among equal scores), byte fallback to &lt;0xXX&gt; pieces for characters outside
/// the vocabulary. Decode: control pieces decode to nothing, &lt;unk&gt; to " ⁇ " as SentencePiece does.
/// </summary>
public sealed class SentencePieceBpeTokenizer : SegmentTokenizer
{
    internal const char Space = '\u2581';
    private readonly SentencePieceModel _model;
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;
    private readonly int[] _byteIds = new int[256];
    private readonly PairMerger _merger;
    private readonly HashSet<int> _bigrams = [];
    // A segment may end before a space after this character (it is no space, and no piece holds it followed by one).
    private readonly bool[] _cutAfter = new bool[char.MaxValue + 1];
    // Symbol key of every BMP character (a piece id, or -1 - char when no piece is that character): the cold path looks
    // up every character of every new word, and an array index is several times cheaper than a hashed span lookup.
    private readonly int[] _charKeys = new int[char.MaxValue + 1];
    private readonly UserDefinedMatcher? _userDefined;

    public SentencePieceBpeTokenizer(string name, SentencePieceModel model, string source)
    {
        Name = name;
        _model = model;
        if (!model.IsBpe)
            throw new InvalidDataException($"{source}: SentencePiece model type is not BPE (unigram models are not supported)");
        if (model.NormalizerName is not ("identity" or ""))
            throw new InvalidDataException($"{source}: SentencePiece normalizer '{model.NormalizerName}' is not supported (only 'identity', as in Llama 2 and Mistral)");
        Array.Fill(_byteIds, -1);
        var userDefined = new List<(string, int)>();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            var p = model.Pieces[id];
            if (p.Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused)
            {
                if (!_pieces.TryAdd(p.Piece, id))
                    throw new InvalidDataException($"{source}: piece #{id} '{p.Piece}' is defined twice");
                if (p.Type == PieceType.UserDefined) userDefined.Add((p.Piece, id));
            }
            else if (p.Type == PieceType.Byte)
            {
                if (p.Piece.Length != 6 || !p.Piece.StartsWith("<0x") || p.Piece[5] != '>'
                    || !byte.TryParse(p.Piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
                    throw new InvalidDataException($"{source}: byte piece #{id} '{p.Piece}' is not of the form <0xXX>");
                _byteIds[b] = id;
            }
        }
        if (model.ByteFallback && Array.IndexOf(_byteIds, -1) >= 0)
            throw new InvalidDataException($"{source}: byte_fallback is on but not all 256 <0xXX> pieces exist");
        _pieceLookup = _pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int ch = 0; ch <= char.MaxValue; ch++)
        {
            char c = (char)ch;
            _charKeys[ch] = !char.IsSurrogate(c) && _pieceLookup.TryGetValue(new ReadOnlySpan<char>(in c), out int pieceId) ? pieceId : -1 - ch;
        }
        _userDefined = userDefined.Count > 0 ? new UserDefinedMatcher(userDefined) : null;

        var pairs = new Dictionary<long, (int, float)>();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            var p = model.Pieces[id];
            if (p.Type is not (PieceType.Normal or PieceType.Unused) || p.Piece.Length < 2) continue;
            string s = p.Piece;
            for (int i = 1; i < s.Length; i++)
            {
                _bigrams.Add((s[i - 1] << 16) | s[i]);
                if (char.IsLowSurrogate(s[i])) continue;
                int left = KeyOf(s.AsSpan(0, i)), right = KeyOf(s.AsSpan(i));
                if (left == NoKey || right == NoKey) continue;
                pairs[PairMerger.PairKey(left, right)] = (id, p.Score);
            }
        }
        _merger = new PairMerger(pairs);
        for (int c = 0; c <= char.MaxValue; c++) _cutAfter[c] = c != Space && !_bigrams.Contains((c << 16) | Space);
        BosId = IsControl(model.BosId) ? model.BosId : null;
        EosId = IsControl(model.EosId) ? model.EosId : null;
    }

    private bool IsControl(int id) => id >= 0 && id < _model.Pieces.Count && _model.Pieces[id].Type == PieceType.Control;

    private const int NoKey = int.MinValue;

    // A symbol is a mergeable piece (its id) or one character outside the vocabulary (a negative key).
    private int KeyOf(ReadOnlySpan<char> s)
    {
        if (_pieceLookup.TryGetValue(s, out int id))
            return _model.Pieces[id].Type == PieceType.UserDefined ? NoKey : id; // user-defined symbols never merge
        if (s.Length == 1 && !char.IsSurrogate(s[0])) return -1 - s[0];
        if (s.Length == 2 && char.IsSurrogatePair(s[0], s[1])) return -1 - char.ConvertToUtf32(s[0], s[1]);
        return NoKey;
    }

    public override string Name { get; }
    public override int VocabSize => _model.Pieces.Count;
    public override int? BosId { get; }
    public override int? EosId { get; }
    public SentencePieceModel Model => _model;

    public override bool IsSafeCut(ReadOnlySpan<char> text, int index)
    {
        if (_model.RemoveExtraWhitespaces || index <= 0 || index >= text.Length) return false;
        char a = Escape(text[index - 1]), b = Escape(text[index]);
        if (char.IsHighSurrogate(a) && char.IsLowSurrogate(b)) return false;
        if (_userDefined != null) return false;
        return !_bigrams.Contains((a << 16) | b);
    }

    private char Escape(char c) => c == ' ' && _model.EscapeWhitespaces ? Space : c;

    /// <summary>SentencePiece's normalization with extra whitespace removed (not the Llama 2 case, which escapes in place).</summary>
    private string RemoveExtraWhitespaces(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text.AsSpan().Trim(' '))
            if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
        return sb.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override int EncodeInto(string text, bool continuation, List<int>? output)
    {
        if (_model.RemoveExtraWhitespaces) text = RemoveExtraWhitespaces(text);
        if (text.Length == 0) return 0;
        // The normalized text (dummy prefix, spaces escaped) in a pooled buffer: a copy per text is garbage otherwise.
        int prefix = !continuation && _model.AddDummyPrefix ? 1 : 0;
        char[] buffer = System.Buffers.ArrayPool<char>.Shared.Rent(text.Length + prefix);
        try
        {
            var s = buffer.AsSpan(0, text.Length + prefix);
            if (prefix == 1) s[0] = Space;
            if (_model.EscapeWhitespaces) text.AsSpan().Replace(s[prefix..], ' ', Space);
            else text.AsSpan().CopyTo(s[prefix..]);
            var cache = Cache;
            int count = 0;
            foreach (var segment in new SpaceCuts(s, Space, _cutAfter))
                count += segment.Length > SegmentCache.MaxSegmentLength ? EmitLong(segment, cache, output) : Emit(segment, cache, output);
            return count;
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A long segment (a line of Chinese or Japanese, a run without spaces) cut further between any two characters that
    /// no piece holds side by side: its parts are short, cached, and merge without the heap.
    /// </summary>
    private int EmitLong(ReadOnlySpan<char> segment, SegmentCache cache, List<int>? output)
    {
        if (_userDefined != null) return Emit(segment, cache, output);
        int count = 0, start = 0;
        for (int i = 1; i < segment.Length; i++)
        {
            char a = segment[i - 1], b = segment[i];
            if ((char.IsHighSurrogate(a) && char.IsLowSurrogate(b)) || _bigrams.Contains((a << 16) | b)) continue;
            count += Emit(segment[start..i], cache, output);
            start = i;
        }
        return count + Emit(segment[start..], cache, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        int[]? rented = segment.Length > 256 ? new int[segment.Length] : null;
        Span<int> keys = rented ?? stackalloc int[segment.Length];
        int n = 0;
        for (int i = 0; i < segment.Length;)
        {
            if (_userDefined != null && _userDefined.Match(segment[i..], out int udLength, out int udId))
            {
                keys[n++] = udId;
                i += udLength;
                continue;
            }
            int len = char.IsHighSurrogate(segment[i]) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]) ? 2 : 1;
            if (len == 1) keys[n++] = _charKeys[segment[i]];
            else if (_pieceLookup.TryGetValue(segment.Slice(i, len), out int id)) keys[n++] = id;
            else keys[n++] = -1 - char.ConvertToUtf32(segment[i], segment[i + 1]);
            i += len;
        }
        n = _merger.Merge(keys[..n]);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (int key in keys[..n])
        {
            if (key >= 0) { ids.Add(key); continue; }
            int cp = -1 - key;
            if (!_model.ByteFallback) { ids.Add(_model.UnkId); continue; }
            int count = new Rune(Rune.IsValid(cp) ? cp : 0xFFFD).EncodeToUtf8(utf8);
            for (int b = 0; b < count; b++) ids.Add(_byteIds[utf8[b]]);
        }
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        bool first = true;
        foreach (int id in ids)
        {
            if (id < 0 || id >= _model.Pieces.Count) throw new ArgumentException($"token id {id} is outside the vocabulary (0..{_model.Pieces.Count - 1})");
            var p = _model.Pieces[id];
            switch (p.Type)
            {
                case PieceType.Control:
                    continue;
                case PieceType.Byte:
                    bytes.Add(Convert.ToByte(p.Piece.Substring(3, 2), 16));
                    break;
                case PieceType.Unknown:
                    bytes.AddRange(" \u2047 "u8.ToArray());
                    break;
                default:
                    string text = p.Piece.Replace(Space, ' ');
                    // The dummy prefix added by Encode is not part of the text.
                    if (first && _model.AddDummyPrefix && text.StartsWith(' ')) text = text[1..];
                    bytes.AddRange(Encoding.UTF8.GetBytes(text));
                    break;
            }
            first = false;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override string IdToPiece(int id)
    {
        if (id < 0 || id >= _model.Pieces.Count) throw new ArgumentException($"token id {id} is outside the vocabulary (0..{_model.Pieces.Count - 1})");
        return _model.Pieces[id].Piece;
    }
}
