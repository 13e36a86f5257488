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
}
