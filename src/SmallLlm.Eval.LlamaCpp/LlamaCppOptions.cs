namespace SmallLlm.Eval.LlamaCpp;

/// <summary>How llama.cpp runs a model.</summary>
public sealed record LlamaCppOptions
{
    /// <summary>
    /// Exact (default): F32 KV cache and flash attention off, so log-probabilities match an fp32 reference to ~1e-5.
    /// Fast: llama.cpp's own defaults (F16 KV cache, flash attention auto), which move log-probabilities by ~1e-2.
    /// </summary>
    public bool Fast { get; init; }

    /// <summary>CPU threads; default every core this process may run on (affinity-aware).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Most tokens in one llama_decode call (all sequences together).</summary>
    public int BatchTokens { get; init; } = 2048;

    /// <summary>Most sequences in one llama_decode call, each with its own sequence id.</summary>
    public int MaxSequences { get; init; } = 32;

    /// <summary>
    /// Requests whose contexts share at least this many leading tokens (one context with several continuations, the
    /// same few-shot examples) decode them once and fork the KV cache to the others; 0 decodes every request whole.
    /// </summary>
    public int SharedPrefixTokens { get; init; } = 16;

    /// <summary>KV-cache memory for all sequences together; fewer sequences are packed when a model needs more.</summary>
    public long KvCacheBytes { get; init; } = 512L << 20;

    public string Describe() => Fast ? "llamacpp-fast(kv=f16,flash=auto)" : "llamacpp-exact(kv=f32,flash=off)";
}
