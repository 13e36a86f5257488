namespace SmallLlm.Eval.Engine;

/// <summary>
/// Architecture of a Llama-family model, named as Hugging Face's <c>LlamaConfig</c> names it, with the variations of
/// the families the engine implements (<see cref="ModelFamily"/>): biases, sliding-window attention, q/k RMSNorm.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary>Positions beyond this are refused outright: RoPE tables and masks for more are not a sensible run.</summary>
    public const int MaxSupportedPositions = 1 << 24;

    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Positions the model takes. For dynamic NTK scaling this is the extended length (original × factor).</summary>
    public required int MaxPositionEmbeddings { get; init; }
    /// <summary>Per-head width; Hugging Face allows it to differ from hidden_size / heads.</summary>
    public int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public int? BosTokenId { get; init; } = 1;
    public int? EosTokenId { get; init; } = 2;

    /// <summary>Hugging Face <c>model_type</c>: llama, mistral, qwen2 or qwen3.</summary>
    public string ModelType { get; init; } = ModelFamily.Llama;
    /// <summary>Biases on the q, k and v projections (Qwen2 always; Llama/Qwen3 with attention_bias).</summary>
    public bool QkvBias { get; init; }
    /// <summary>A bias on the output projection (Llama/Qwen3 with attention_bias).</summary>
    public bool OutputBias { get; init; }
    /// <summary>Biases on gate, up and down (Llama with mlp_bias).</summary>
    public bool MlpBias { get; init; }
    /// <summary>RMSNorm over head_dim of each q and k head before RoPE (Qwen3).</summary>
    public bool QkNorm { get; init; }
    /// <summary>Each position sees itself and the window−1 before it, in the layers from <see cref="SlidingWindowFirstLayer"/> on.</summary>
    public int? SlidingWindow { get; init; }
    public int SlidingWindowFirstLayer { get; init; }

    public int QueryWidth => NumHeads * HeadDim;
    public int KeyValueWidth => NumKeyValueHeads * HeadDim;

    public bool IsSlidingLayer(int layer) => SlidingWindow is not null && layer >= SlidingWindowFirstLayer;

    /// <summary>Checks the invariants the forward pass relies on; throws with the field at fault.</summary>
    public LlamaConfig Validated(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"{source}: invalid model config: {what}");
        }
        Require(HiddenSize > 0, $"hidden_size must be > 0 (got {HiddenSize})");
        Require(IntermediateSize > 0, $"intermediate_size must be > 0 (got {IntermediateSize})");
        Require(NumLayers > 0, $"num_hidden_layers must be > 0 (got {NumLayers})");
        Require(NumHeads > 0, $"num_attention_heads must be > 0 (got {NumHeads})");
        Require(NumKeyValueHeads > 0 && NumHeads % NumKeyValueHeads == 0,
            $"num_key_value_heads ({NumKeyValueHeads}) must divide num_attention_heads ({NumHeads})");
        Require(HeadDim > 0 && HeadDim % 2 == 0, $"head_dim must be a positive even number (got {HeadDim})");
        Require(VocabSize > 0, $"vocab_size must be > 0 (got {VocabSize})");
        Require(MaxPositionEmbeddings > 0, $"max_position_embeddings must be > 0 (got {MaxPositionEmbeddings})");
        Require(MaxPositionEmbeddings <= MaxSupportedPositions,
            $"max_position_embeddings {MaxPositionEmbeddings:N0} is beyond the {MaxSupportedPositions:N0} positions this engine supports");
        Require(RmsNormEps > 0, $"rms_norm_eps must be > 0 (got {RmsNormEps})");
        Require(RopeTheta > 0, $"rope_theta must be > 0 (got {RopeTheta})");
        Require(ModelFamily.IsKnown(ModelType), $"model_type '{ModelType}' is not implemented ({string.Join(", ", ModelFamily.All)})");
        Require(SlidingWindow is null or > 0, $"sliding_window must be > 0 (got {SlidingWindow})");
        Require(SlidingWindowFirstLayer >= 0, $"max_window_layers must be >= 0 (got {SlidingWindowFirstLayer})");
        RopeScaling?.Validate(source);
        return this;
    }
}
