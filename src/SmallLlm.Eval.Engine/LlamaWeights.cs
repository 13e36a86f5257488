using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine;

/// <summary>
/// A checkpoint's tensors under Hugging Face <c>LlamaForCausalLM</c> names, in the compute dtype, with q/k rows in
/// rotate_half order. Every loader produces this, the writer and the model consume it.
/// </summary>
public sealed class LlamaWeights : IDisposable
{
    public LlamaConfig Config { get; }
    public ModelDType DType { get; }
    private readonly Dictionary<string, Tensor> _tensors;

    public LlamaWeights(LlamaConfig config, ModelDType dtype, Dictionary<string, Tensor> tensors)
    {
        Config = config;
        DType = dtype;
        _tensors = tensors;
    }

    public Tensor this[string name] => _tensors[name];
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Takes a tensor out (the caller now owns it), so the model can fuse weights without a second copy.</summary>
    public Tensor Take(string name)
    {
        var t = _tensors[name];
        _tensors.Remove(name);
        return t;
    }

    public long ParameterCount => _tensors.Values.Sum(t => t.numel());

    /// <summary>The tensors a checkpoint of this config must hold, with their shapes, in file order.</summary>
    public static IEnumerable<(string Name, long[] Shape)> ExpectedTensors(LlamaConfig c)
    {
        yield return ("model.embed_tokens.weight", [c.VocabSize, c.HiddenSize]);
        for (int l = 0; l < c.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            yield return (p + "input_layernorm.weight", [c.HiddenSize]);
            yield return (p + "self_attn.q_proj.weight", [c.QueryWidth, c.HiddenSize]);
            if (c.QkvBias) yield return (p + "self_attn.q_proj.bias", [c.QueryWidth]);
            yield return (p + "self_attn.k_proj.weight", [c.KeyValueWidth, c.HiddenSize]);
            if (c.QkvBias) yield return (p + "self_attn.k_proj.bias", [c.KeyValueWidth]);
            yield return (p + "self_attn.v_proj.weight", [c.KeyValueWidth, c.HiddenSize]);
            if (c.QkvBias) yield return (p + "self_attn.v_proj.bias", [c.KeyValueWidth]);
            yield return (p + "self_attn.o_proj.weight", [c.HiddenSize, c.QueryWidth]);
            if (c.OutputBias) yield return (p + "self_attn.o_proj.bias", [c.HiddenSize]);
            if (c.QkNorm)
            {
                yield return (p + "self_attn.q_norm.weight", [c.HeadDim]);
                yield return (p + "self_attn.k_norm.weight", [c.HeadDim]);
            }
            yield return (p + "post_attention_layernorm.weight", [c.HiddenSize]);
            yield return (p + "mlp.gate_proj.weight", [c.IntermediateSize, c.HiddenSize]);
            if (c.MlpBias) yield return (p + "mlp.gate_proj.bias", [c.IntermediateSize]);
            yield return (p + "mlp.up_proj.weight", [c.IntermediateSize, c.HiddenSize]);
            if (c.MlpBias) yield return (p + "mlp.up_proj.bias", [c.IntermediateSize]);
            yield return (p + "mlp.down_proj.weight", [c.HiddenSize, c.IntermediateSize]);
            if (c.MlpBias) yield return (p + "mlp.down_proj.bias", [c.HiddenSize]);
        }
        yield return ("model.norm.weight", [c.HiddenSize]);
        if (!c.TieWordEmbeddings) yield return ("lm_head.weight", [c.VocabSize, c.HiddenSize]);
    }

    /// <summary>Whether a 1-D tensor is a norm scale (initialised to ones) rather than a bias.</summary>
    public static bool IsNormWeight(string name) => name.EndsWith("norm.weight", StringComparison.Ordinal);

    /// <summary>
    /// Reorders q/k projection rows from interleaved-pair RoPE (Meta, llama2.c) to rotate_half RoPE (Hugging Face),
    /// exactly as transformers' convert_llama_weights_to_hf does: view(heads, d/2, 2, in).transpose(1, 2).
    /// </summary>
    public static Tensor PermuteForRotateHalf(Tensor w, int heads)
    {
        long rows = w.shape[0], cols = w.shape[1];
        using var view = w.view(heads, rows / heads / 2, 2, cols);
        using var swapped = view.transpose(1, 2);
        return swapped.reshape(rows, cols).contiguous();
    }

    /// <summary>The inverse of <see cref="PermuteForRotateHalf"/>, for writing interleaved layouts.</summary>
    public static Tensor PermuteToInterleaved(Tensor w, int heads)
    {
        long rows = w.shape[0], cols = w.shape[1];
        using var view = w.view(heads, 2, rows / heads / 2, cols);
        using var swapped = view.transpose(1, 2);
        return swapped.reshape(rows, cols).contiguous();
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
