namespace SmallLlm.Eval.Metrics;

/// <summary>
/// Corpus-level perplexities from a summed log-likelihood (natural log) and the number of units it covers: the sums
/// over all documents, never an average of per-document figures.
/// </summary>
public static class PerplexityMetrics
{
    /// <summary>exp(−Σ log p / Σ units): token, word or byte perplexity depending on the unit counted.</summary>
    public static double Perplexity(double logLikelihood, long units) =>
        units == 0 ? double.NaN : Math.Exp(-logLikelihood / units);

    /// <summary>−Σ log p / (Σ UTF-8 bytes · ln 2).</summary>
    public static double BitsPerByte(double logLikelihood, long bytes) =>
        bytes == 0 ? double.NaN : -logLikelihood / (bytes * Math.Log(2));

    /// <summary>
    /// Words as lm-evaluation-harness's wikitext counts them: <c>len(re.split(r"\s+", doc))</c>, i.e. one more than the
    /// number of whitespace runs (so leading or trailing whitespace adds an empty "word", exactly as there).
    /// </summary>
    public static long WordCount(ReadOnlySpan<char> text)
    {
        long runs = 0;
        bool inSpace = false;
        foreach (char c in text)
        {
            bool space = IsPythonWhitespace(c);
            if (space && !inSpace) runs++;
            inSpace = space;
        }
        return runs + 1;
    }

    // Python's str \s also matches the information separators U+001C..U+001F, which .NET does not call whitespace.
    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';
}
