using System.Text;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// SentencePiece BPE encoding, exact to SentencePiece's C++ (bpe_model.cc): whitespace escaped to U+2581, a dummy-prefix
/// U+2581, one symbol per character, merges of the highest-scoring pair whose concatenation is a normal, user-defined
/// or unused piece (leftmost first among equal scores), byte fallback to &lt;0xXX&gt; pieces for characters outside
/// the vocabulary. Decode: control pieces decode to nothing, &lt;unk&gt; to " ⁇ " as SentencePiece does.
/// </summary>
public sealed class SentencePieceBpeTokenizer : ITextContinuationTokenizer
{
    internal const char Space = '\u2581';
    private readonly SentencePieceModel _model;
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;
    private readonly int[] _byteIds = new int[256];
    private readonly PairMerger _merger;
    private readonly HashSet<int> _bigrams = [];
    // Symbol key of every BMP character (a piece id, or -1 - char when no piece is that character): the cold path looks
    // up every character of every new word, and an array index is several times cheaper than a hashed span lookup.
    private readonly int[] _charKeys = new int[char.MaxValue + 1];
    private readonly UserDefinedMatcher? _userDefined;
    private readonly ThreadLocal<SegmentCache> _cache = new(() => new SegmentCache());

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

    public string Name { get; }
    public int VocabSize => _model.Pieces.Count;
    public int? BosId { get; }
    public int? EosId { get; }
    public SentencePieceModel Model => _model;

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeInto(text, _model.AddDummyPrefix, ids);
        return ids;
    }

    public int CountTokens(string text) => EncodeInto(text, _model.AddDummyPrefix, null);

    public int CountContinuationTokens(string text) => EncodeInto(text, false, null);

    public bool IsSafeCut(ReadOnlySpan<char> text, int index)
    {
        if (_model.RemoveExtraWhitespaces || index <= 0 || index >= text.Length) return false;
        char a = Escape(text[index - 1]), b = Escape(text[index]);
        if (char.IsHighSurrogate(a) && char.IsLowSurrogate(b)) return false;
        if (_userDefined != null) return false;
        return !_bigrams.Contains((a << 16) | b);
    }

    private char Escape(char c) => c == ' ' && _model.EscapeWhitespaces ? Space : c;

    private string Normalize(string text, bool dummyPrefix)
    {
        if (_model.RemoveExtraWhitespaces)
        {
            var sb = new StringBuilder(text.Length);
            foreach (char c in text.AsSpan().Trim(' '))
                if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
            text = sb.ToString();
        }
        if (text.Length == 0) return text;
        if (_model.EscapeWhitespaces) text = text.Replace(' ', Space);
        return dummyPrefix ? Space + text : text;
    }

    /// <summary>Appends the ids to <paramref name="output"/> (when given) and returns how many there are.</summary>
    private int EncodeInto(string text, bool dummyPrefix, List<int>? output)
    {
        int count = 0;
        string normalized = Normalize(text, dummyPrefix);
        ReadOnlySpan<char> s = normalized;
        var cache = _cache.Value!;
        int start = 0;
        for (int i = 1; i <= s.Length; i++)
        {
            // Cut before a space that follows a non-space when no piece spans that pair of characters.
            if (i < s.Length && !(s[i] == Space && s[i - 1] != Space && !_bigrams.Contains((s[i - 1] << 16) | Space)))
                continue;
            var segment = s[start..i];
            if (!cache.TryGet(segment, out int[] ids))
            {
                ids = EncodeSegment(segment);
                cache.Add(segment, ids);
            }
            output?.AddRange(ids);
            count += ids.Length;
            start = i;
        }
        return count;
    }

    private int[] EncodeSegment(ReadOnlySpan<char> segment)
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
            else keys[n++] = -1 - (len == 2 ? char.ConvertToUtf32(segment[i], segment[i + 1]) : segment[i]);
            i += len;
        }
        n = _merger.Merge(keys[..n]);
        var result = new List<int>(n + 4);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (int key in keys[..n])
        {
            if (key >= 0) { result.Add(key); continue; }
            int cp = -1 - key;
            if (!_model.ByteFallback) { result.Add(_model.UnkId); continue; }
            int count = new Rune(Rune.IsValid(cp) ? cp : 0xFFFD).EncodeToUtf8(utf8);
            for (int b = 0; b < count; b++) result.Add(_byteIds[utf8[b]]);
        }
        return result.ToArray();
    }

    public string Decode(IReadOnlyList<int> ids)
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

    public string IdToPiece(int id)
    {
        if (id < 0 || id >= _model.Pieces.Count) throw new ArgumentException($"token id {id} is outside the vocabulary (0..{_model.Pieces.Count - 1})");
        return _model.Pieces[id].Piece;
    }

    /// <summary>Longest-match of user-defined pieces, which SentencePiece takes whole before merging.</summary>
    private sealed class UserDefinedMatcher(List<(string Piece, int Id)> pieces)
    {
        private readonly (string Piece, int Id)[] _byLength = pieces.OrderByDescending(p => p.Piece.Length).ToArray();

        public bool Match(ReadOnlySpan<char> text, out int length, out int id)
        {
            foreach (var (piece, pid) in _byLength)
                if (text.StartsWith(piece, StringComparison.Ordinal)) { length = piece.Length; id = pid; return true; }
            length = 0; id = 0;
            return false;
        }
    }
}
