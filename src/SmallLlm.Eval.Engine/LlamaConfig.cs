namespace SmallLlm.Eval.Engine;

/// <summary>
/// Architecture of a Llama-family model, named as Hugging Face's <c>LlamaConfig</c> names it.
/// </summary>
public sealed record LlamaConfig
{
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    /// <summary>Per-head width; Hugging Face allows it to differ from hidden_size / heads.</summary>
    public int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public Llama3RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public int? BosTokenId { get; init; } = 1;
    public int? EosTokenId { get; init; } = 2;

    public int QueryWidth => NumHeads * HeadDim;
    public int KeyValueWidth => NumKeyValueHeads * HeadDim;

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
        Require(RmsNormEps > 0, $"rms_norm_eps must be > 0 (got {RmsNormEps})");
        Require(RopeTheta > 0, $"rope_theta must be > 0 (got {RopeTheta})");
        return this;
    }
}
