namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// Decoding generated tokens as the continuation of a prompt. SentencePiece-style decoders drop the leading space of
/// the first piece of a text ("▁puppy" alone decodes to "puppy"), which is right at the start of a text and wrong
/// after a prompt. Decoding the continuation together with the prompt's last token, and removing that token's text,
/// keeps the space ("Lily wanted a puppy" + " who").
/// </summary>
public static class ContinuationDecoding
{
    public static string DecodeAfter(this ITextTokenizer tokenizer, IReadOnlyList<int> context, IReadOnlyList<int> continuation)
    {
        if (continuation.Count == 0) return "";
        if (context.Count == 0) return tokenizer.Decode(continuation);
        int last = context[^1];
        string prefix = tokenizer.Decode([last]);
        string both = tokenizer.Decode([last, .. continuation]);
        // A byte-fallback piece split across the boundary can make the texts disagree: then decode alone.
        return both.StartsWith(prefix, StringComparison.Ordinal) ? both[prefix.Length..] : tokenizer.Decode(continuation);
    }
}
