namespace SmallLlm.Eval.Tokenizers.HuggingFace;

/// <summary>An entry of tokenizer.json's <c>added_tokens</c>.</summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool Normalized = false);

/// <summary>
/// Finds added tokens in text as Hugging Face tokenizers does before normalization and pre-tokenization: leftmost
/// longest match; <c>lstrip</c>/<c>rstrip</c> swallow the whitespace on that side. The text between matches is
/// tokenized normally.
/// </summary>
public sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar; // longest first

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0).GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Segments of <paramref name="text"/>: plain text (Token null) or a matched added token.</summary>
    public List<(int Offset, int Length, AddedToken? Token)> Split(string text)
    {
        var result = new List<(int, int, AddedToken?)>();
        int plainStart = 0;
        for (int i = 0; i < text.Length;)
        {
            AddedToken? match = null;
            if (_byFirstChar.TryGetValue(text[i], out var candidates))
                foreach (var c in candidates)
                    if (string.CompareOrdinal(text, i, c.Content, 0, c.Content.Length) == 0) { match = c; break; }
            if (match is null) { i++; continue; }
            int start = i, end = i + match.Content.Length;
            if (match.LStrip) while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (match.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) result.Add((plainStart, start - plainStart, null));
            result.Add((start, end - start, match));
            plainStart = i = end;
        }
        if (plainStart < text.Length) result.Add((plainStart, text.Length - plainStart, null));
        return result;
    }
}
