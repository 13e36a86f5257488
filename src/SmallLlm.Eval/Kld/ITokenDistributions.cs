namespace SmallLlm.Eval.Kld;

/// <summary>
/// An engine-level capability each backend offers for quantization-quality comparisons (not a task-facing call):
/// the full next-token distribution at every position of a token sequence, with the backend's own tokenizer.
/// </summary>
public interface ITokenDistributions : IDisposable
{
    string Name { get; }
    int VocabSize { get; }
    int ContextLength { get; }
    /// <summary>The token put before a document (BOS, else EOS).</summary>
    int PrefixToken { get; }
    int[] Tokenize(string text);

    /// <summary>Feeds <paramref name="tokens"/> as one sequence; position t's logits (predicting token t+1) go to <paramref name="onLogits"/> in order.</summary>
    void ForEachLogits(IReadOnlyList<int> tokens, Action<int, ReadOnlySpan<float>> onLogits);
}
