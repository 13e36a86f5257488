using System.Text;
using Microsoft.ML.Tokenizers;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// Byte-level BPE by token rank (tiktoken: cl100k_base, o200k_base, gpt2, Llama 3), on Microsoft.ML.Tokenizers'
/// TiktokenTokenizer, which is exact and fast for the merging, with our pre-tokenizer, which is exact outside the BMP.
/// Special-token text in the input is ordinary text. Decode turns special ids into their text.
/// </summary>
public sealed class TiktokenTextTokenizer : ITextContinuationTokenizer
{
    private readonly TiktokenTokenizer _inner;
    private readonly byte[][] _tokens;
    private readonly Dictionary<int, string> _specialById;

    /// <param name="tokens">Token bytes indexed by rank.</param>
    public TiktokenTextTokenizer(string name, byte[][] tokens, string pattern,
        IReadOnlyDictionary<string, int> specialTokens, int? bosId, int? eosId)
    {
        Name = name;
        Pattern = pattern;
        _tokens = tokens;
        PreTokenizer = new AstralSafeRegexPreTokenizer(TiktokenPatterns.For(pattern));
        using (var vocabulary = TiktokenFile.ToStream(tokens))
            _inner = TiktokenTokenizer.Create(vocabulary, PreTokenizer, normalizer: null, specialTokens);
        _specialById = specialTokens.ToDictionary(kv => kv.Value, kv => kv.Key);
        VocabSize = Math.Max(tokens.Length, specialTokens.Count > 0 ? specialTokens.Values.Max() + 1 : 0);
        BosId = bosId;
        EosId = eosId;
    }

    public string Name { get; }
    public string Pattern { get; }
    public AstralSafeRegexPreTokenizer PreTokenizer { get; }
    public int VocabSize { get; }
    public int? BosId { get; }
    public int? EosId { get; }
    public IReadOnlyDictionary<int, string> SpecialTokens => _specialById;

    /// <summary>Token bytes by rank (special tokens excluded).</summary>
    public IReadOnlyList<byte[]> Tokens => _tokens;

    private readonly ThreadLocal<SegmentCache> _cache = new(() => new SegmentCache());

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (var piece in Pieces(text)) ids.AddRange(piece);
        return ids;
    }

    public int CountTokens(string text)
    {
        if (text.Length == 0) return 0;
        // Text without surrogates (nearly all): walk the matches directly, no list of pre-tokens.
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0) return Pieces(text).Sum(p => p.Length);
        var cache = _cache.Value!;
        int count = 0;
        foreach (var m in PreTokenizer.Regex.EnumerateMatches(text)) count += Ids(text.AsSpan(m.Index, m.Length), cache).Length;
        return count;
    }

    private int[] Ids(ReadOnlySpan<char> piece, SegmentCache cache)
    {
        if (!cache.TryGet(piece, out int[] ids))
        {
            ids = _inner.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false).ToArray();
            cache.Add(piece, ids);
        }
        return ids;
    }

    /// <summary>
    /// Ids per pre-token: a per-thread cache in front of Microsoft.ML.Tokenizers' BPE (whose own cache takes a lock
    /// on every word, which costs more than the merging once several threads count).
    /// </summary>
    private IEnumerable<int[]> Pieces(string text)
    {
        if (text.Length == 0) yield break;
        var cache = _cache.Value!;
        foreach (var (offset, length) in PreTokenizer.Split(text)) yield return Ids(text.AsSpan(offset, length), cache);
    }

    /// <summary>Microsoft.ML.Tokenizers' own path (pre-tokenizer called by it, its locked cache), for benchmarks.</summary>
    internal int CountTokensThroughLibrary(string text) =>
        text.Length == 0 ? 0 : _inner.CountTokens(text, considerPreTokenization: true, considerNormalization: false);

    public int CountContinuationTokens(string text) => CountTokens(text);

    /// <summary>
    /// A lone newline (after a non-space) followed by a letter ends a match in every tiktoken pattern, whether the
    /// text goes on or not. (After a run of whitespace it does not: gpt2's \s+(?!\S) matches differently at the end.)
    /// </summary>
    public bool IsSafeCut(ReadOnlySpan<char> text, int index) =>
        index > 1 && index < text.Length && (text[index - 1] == '\n' && !char.IsWhiteSpace(text[index - 2]) && char.IsLetter(text[index])
            // Within a line: letter | space letter. No pattern's match holds a letter then a space, so the match of the
            // letters ends here either way, and " word" is the next match either way.
            || index + 1 < text.Length && char.IsLetter(text[index - 1]) && text[index] == ' ' && char.IsLetter(text[index + 1]));

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (int id in ids)
        {
            if (_specialById.TryGetValue(id, out string? special)) bytes.AddRange(Encoding.UTF8.GetBytes(special));
            else if (id >= 0 && id < _tokens.Length) bytes.AddRange(_tokens[id]);
            else throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public string IdToPiece(int id)
    {
        if (_specialById.TryGetValue(id, out string? special)) return special;
        if (id < 0 || id >= _tokens.Length) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
        return BytePiece.Display(_tokens[id]);
    }
}
