namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>How requests are packed into forward passes.</summary>
public sealed record ScoringOptions
{
    /// <summary>At most this many sequences in one forward pass.</summary>
    public int MaxBatchRows { get; init; } = 8;
    /// <summary>At most this many (padded) tokens in one forward pass; bounds activation memory.</summary>
    public int MaxBatchTokens { get; init; } = 2048;
    /// <summary>Float32 logits materialised at once (positions × vocab); bounds LM-head memory.</summary>
    public long MaxLogitElements { get; init; } = 2L << 20;

    /// <summary>
    /// Contexts that start with the same tokens (few-shot prompts) run that prefix once and continue from its KV cache
    /// when the shared prefix has at least this many tokens; shorter ones take the plain path. int.MaxValue turns reuse off.
    /// </summary>
    public int MinSharedPrefix { get; init; } = 32;
    /// <summary>Memory for prefix KV caches kept between calls (least recently used dropped first): 256 MiB.</summary>
    public long PrefixCacheBytes { get; init; } = 256L << 20;
    /// <summary>Plan and count tokens without running the model (scores come back as zeros): what a run would cost.</summary>
    public bool CountOnly { get; init; }
}
