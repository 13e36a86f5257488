namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>Characters (Unicode scalar values) and words (runs of non-whitespace, as Python's re.split(r"\s+")).</summary>
public static class TextStats
{
    public static long CountCharacters(ReadOnlySpan<char> text)
    {
        long lowSurrogates = 0;
        foreach (char c in text) if (char.IsLowSurrogate(c)) lowSurrogates++;
        return text.Length - lowSurrogates;
    }

    /// <summary>Words in <paramref name="text"/>; a word continuing from the previous piece is not counted again.</summary>
    public static long CountWords(ReadOnlySpan<char> text, bool previousEndedInWord = false)
    {
        long words = 0;
        bool inWord = previousEndedInWord;
        foreach (char c in text)
        {
            bool space = char.IsWhiteSpace(c);
            if (!space && !inWord) words++;
            inWord = !space;
        }
        return words;
    }
}
