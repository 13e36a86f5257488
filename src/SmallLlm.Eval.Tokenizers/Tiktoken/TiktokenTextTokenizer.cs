using System.Text;
using Microsoft.ML.Tokenizers;
using SmallLlm.Eval.Tokenizers.Bpe;

namespace SmallLlm.Eval.Tokenizers.Tiktoken;

/// <summary>
/// Byte-level BPE by token rank (tiktoken: cl100k_base, o200k_base, gpt2, Llama 3), on Microsoft.ML.Tokenizers'
/// TiktokenTokenizer, which is exact and fast for the merging, with our pre-tokenizer, which is exact outside the BMP.
/// Special-token text in the input is ordinary text. Decode turns special ids into their text.
/// </summary>
public sealed class TiktokenTextTokenizer : SegmentTokenizer
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

    public override string Name { get; }
    public string Pattern { get; }
    public AstralSafeRegexPreTokenizer PreTokenizer { get; }
    public override int VocabSize { get; }
    public override int? BosId { get; }
    public override int? EosId { get; }
    public IReadOnlyDictionary<int, string> SpecialTokens => _specialById;

    /// <summary>Token bytes by rank (special tokens excluded).</summary>
    public IReadOnlyList<byte[]> Tokens => _tokens;

    protected override int EncodeInto(string text, bool continuation, List<int>? output)
    {
        if (text.Length == 0) return 0;
        var cache = Cache;
        int count = 0;
        // Text without surrogates (nearly all): walk the matches directly, no list of pre-tokens.
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            foreach (var m in PreTokenizer.Regex.EnumerateMatches(text)) count += Emit(text.AsSpan(m.Index, m.Length), cache, output);
        else
            foreach (var (offset, length) in PreTokenizer.Split(text)) count += Emit(text.AsSpan(offset, length), cache, output);
        return count;
    }

    /// <summary>
    /// One pre-token merged by Microsoft.ML.Tokenizers' BPE, behind our per-thread cache (the library's own cache takes
    /// a lock on every word, which costs more than the merging once several threads count).
    /// </summary>
    protected override void EncodeSegment(ReadOnlySpan<char> piece, List<int> ids) =>
        ids.AddRange(_inner.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));

    /// <summary>
    /// A lone newline (after a non-space) followed by a letter ends a match in every tiktoken pattern, whether the
    /// text goes on or not. (After a run of whitespace it does not: gpt2's \s+(?!\S) matches differently at the end.)
    /// </summary>
    public override bool IsSafeCut(ReadOnlySpan<char> text, int index) =>
        index > 1 && index < text.Length && (text[index - 1] == '\n' && !char.IsWhiteSpace(text[index - 2]) && char.IsLetter(text[index])
            // Within a line: letter | space letter. No pattern's match holds a letter then a space, so the match of the
            // letters ends here either way, and " word" is the next match either way.
            || index + 1 < text.Length && char.IsLetter(text[index - 1]) && text[index] == ' ' && char.IsLetter(text[index + 1]));

    public override string Decode(IReadOnlyList<int> ids)
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

    public override string IdToPiece(int id)
    {
        if (_specialById.TryGetValue(id, out string? special)) return special;
        if (id < 0 || id >= _tokens.Length) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
        return BytePiece.Display(_tokens[id]);
    }
}
