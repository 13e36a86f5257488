namespace SmallLlm.Eval.Engine;

/// <summary>Size, memory and compute figures derived from a config (Kaplan et al. 2020 FLOPs; Chinchilla's 20 tokens/parameter).</summary>
public sealed record ModelStatistics
{
    public required long EmbeddingParameters { get; init; }
    public required long NonEmbeddingParameters { get; init; }
    public long TotalParameters => EmbeddingParameters + NonEmbeddingParameters;
    public required int ContextLength { get; init; }
    public required long KvCacheBytesPerToken { get; init; }
    public required long KvCacheBytesPerTokenMultiHead { get; init; }
    /// <summary>Forward FLOPs of the last token of a full context: 2·(matmul parameters incl. LM head) + 4·layers·context·attention width (QKᵀ and AV, as in PaLM's MFU).</summary>
    public required long FlopsPerTokenAtFullContext { get; init; }
    public required long MatmulFlopsPerToken { get; init; }
    public long ChinchillaOptimalTokens => 20 * TotalParameters;

    public static ModelStatistics Of(LlamaConfig c, ModelDType dtype)
    {
        long d = c.HiddenSize;
        long perLayer = 2 * d + d * c.QueryWidth + 2 * d * c.KeyValueWidth + (long)c.QueryWidth * d + 3 * d * c.IntermediateSize;
        long vectors = (c.QkvBias ? c.QueryWidth + 2L * c.KeyValueWidth : 0) + (c.OutputBias ? d : 0)
                       + (c.MlpBias ? 2L * c.IntermediateSize + d : 0) + (c.QkNorm ? 2L * c.HeadDim : 0);
        long lmHead = (long)c.VocabSize * d;
        long embedding = lmHead;
        long nonEmbedding = c.NumLayers * (perLayer + vectors) + d + (c.TieWordEmbeddings ? 0 : lmHead);
        long matmulParams = c.NumLayers * (perLayer - 2 * d) + lmHead;
        long attention = 4L * c.NumLayers * c.MaxPositionEmbeddings * c.QueryWidth;
        return new ModelStatistics
        {
            EmbeddingParameters = embedding,
            NonEmbeddingParameters = nonEmbedding,
            ContextLength = c.MaxPositionEmbeddings,
            KvCacheBytesPerToken = 2L * c.NumLayers * c.KeyValueWidth * dtype.Bytes(),
            KvCacheBytesPerTokenMultiHead = 2L * c.NumLayers * c.QueryWidth * dtype.Bytes(),
            MatmulFlopsPerToken = 2 * matmulParams,
            FlopsPerTokenAtFullContext = 2 * matmulParams + attention,
        };
    }

    /// <summary>Average useful forward FLOPs per token when scoring sequences of <paramref name="length"/> (causal: mean context (length+1)/2).</summary>
    public static double FlopsPerTokenScoring(LlamaConfig c, int length) =>
        Of(c, ModelDType.Float32).MatmulFlopsPerToken + 4.0 * c.NumLayers * c.QueryWidth * (length + 1) / 2.0;
}
