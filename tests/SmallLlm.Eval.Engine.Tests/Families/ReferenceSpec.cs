namespace SmallLlm.Eval.Engine.Tests.Families;

/// <summary>
/// What a family's forward pass is, written out by hand from transformers' modeling code for the reference (not read
/// from config.json by the engine's code): which biases and norms exist, which layers slide, how RoPE frequencies are
/// computed for a pass of a given length.
/// </summary>
public sealed record ReferenceSpec
{
    public required int Hidden { get; init; }
    public required int Intermediate { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int Vocab { get; init; }
    public required double RmsEps { get; init; }
    public required bool Tied { get; init; }
    public bool QkvBias { get; init; }
    public bool OBias { get; init; }
    public bool MlpBias { get; init; }
    public bool QkNorm { get; init; }
    /// <summary>Sliding window per layer (null: full attention).</summary>
    public Func<int, int?> WindowOfLayer { get; init; } = _ => null;
    /// <summary>Inverse frequencies [head_dim/2] for a forward pass over <c>length</c> positions.</summary>
    public required Func<int, double[]> InverseFrequencies { get; init; }

    /// <summary>theta^(-2j/d), as transformers' _compute_default_rope_parameters.</summary>
    public static double[] Default(int headDim, double theta) =>
        Enumerable.Range(0, headDim / 2).Select(j => 1.0 / Math.Pow(theta, 2.0 * j / headDim)).ToArray();

    /// <summary>
    /// Tensor names and shapes a Hugging Face checkpoint of this spec holds (written independently of the engine's list).
    /// </summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors()
    {
        int q = Heads * HeadDim, kv = KvHeads * HeadDim;
        yield return ("model.embed_tokens.weight", [Vocab, Hidden]);
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            yield return (p + "input_layernorm.weight", [Hidden]);
            yield return (p + "post_attention_layernorm.weight", [Hidden]);
            foreach (var (n, rows) in new[] { ("q", q), ("k", kv), ("v", kv) })
            {
                yield return (p + $"self_attn.{n}_proj.weight", [rows, Hidden]);
                if (QkvBias) yield return (p + $"self_attn.{n}_proj.bias", [rows]);
            }
            yield return (p + "self_attn.o_proj.weight", [Hidden, q]);
            if (OBias) yield return (p + "self_attn.o_proj.bias", [Hidden]);
            if (QkNorm)
            {
                yield return (p + "self_attn.q_norm.weight", [HeadDim]);
                yield return (p + "self_attn.k_norm.weight", [HeadDim]);
            }
            yield return (p + "mlp.gate_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.up_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.down_proj.weight", [Hidden, Intermediate]);
            if (MlpBias)
            {
                yield return (p + "mlp.gate_proj.bias", [Intermediate]);
                yield return (p + "mlp.up_proj.bias", [Intermediate]);
                yield return (p + "mlp.down_proj.bias", [Hidden]);
            }
        }
        yield return ("model.norm.weight", [Hidden]);
        if (!Tied) yield return ("lm_head.weight", [Vocab, Hidden]);
    }
}
