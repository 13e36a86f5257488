namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// Counting a long text in pieces. SentencePiece-style tokenizers add a dummy-prefix space at the start of a text, so a
/// piece that continues earlier text must be counted without it. Corpus statistics cut texts only at boundaries that
/// <see cref="IsSafeCut"/> accepts, so the sum of the pieces' counts equals the count of the whole text.
/// </summary>
public interface ITextContinuationTokenizer : ITextTokenizer
{
    /// <summary>Token count of <paramref name="text"/> when it directly follows earlier text.</summary>
    int CountContinuationTokens(string text);

    /// <summary>True when no token can span the boundary between text[index - 1] and text[index].</summary>
    bool IsSafeCut(ReadOnlySpan<char> text, int index);
}
