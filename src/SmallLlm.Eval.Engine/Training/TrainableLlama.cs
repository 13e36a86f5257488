using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// The Llama forward pass of <see cref="LlamaModel"/> written out of place for autograd: the same embedding, RMSNorm
/// (float32 statistics), rotate_half RoPE from the engine's own tables, grouped-query causal attention and SwiGLU MLP,
/// over parameters kept under their Hugging Face names (q, k, v, gate and up unfused, so a checkpoint is the parameters
/// as they are). A test holds its logits to the inference engine's. Parameters are leaf tensors that require grad, in
/// <see cref="LlamaWeights.ExpectedTensors"/> order (the order of the optimizer state and of the gradient norm's sum).
/// </summary>
public sealed class TrainableLlama : IDisposable
{
    public LlamaConfig Config { get; }
    public ScalarType ScalarType { get; }
    public IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }
    private readonly Dictionary<string, Tensor> _byName;
    private readonly RotaryTables _rotary;

    /// <summary>Takes ownership of <paramref name="tensors"/> (HF names, as <see cref="LlamaWeights.ExpectedTensors"/> lists them).</summary>
    public TrainableLlama(LlamaConfig config, IReadOnlyDictionary<string, Tensor> tensors)
    {
        if (config.QkNorm || config.SlidingWindow is not null)
            throw new ArgumentException($"training supports Llama layers (optionally with biases); model_type '{config.ModelType}' with " +
                                        (config.QkNorm ? "q/k norms" : "a sliding window") + " is not implemented");
        Config = config;
        var list = new List<(string, Tensor)>();
        foreach (var (name, shape) in LlamaWeights.ExpectedTensors(config))
        {
            if (!tensors.TryGetValue(name, out var t)) throw new ArgumentException($"initial weights lack tensor '{name}'");
            if (!t.shape.SequenceEqual(shape))
                throw new ArgumentException($"initial tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}]");
            list.Add((name, t.detach().requires_grad_(true)));
            t.Dispose();
        }
        Parameters = list;
        _byName = list.ToDictionary(p => p.Item1, p => p.Item2);
        ScalarType = list[0].Item2.dtype;
        _rotary = new RotaryTables(config, ScalarType);
    }

    public Tensor this[string name] => _byName[name];

    public long ParameterCount => Parameters.Sum(p => p.Parameter.numel());

    /// <summary>Logits [batch, T, vocab] of <paramref name="tokens"/> [batch, T] from position 0, in the parameters' dtype.</summary>
    public Tensor Logits(Tensor tokens)
    {
        var c = Config;
        long batch = tokens.shape[0], T = tokens.shape[1];
        if (T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence of {T} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");
        using var scope = torch.NewDisposeScope();
        var (cos, sin) = _rotary.For(0, (int)T);
        var x = this["model.embed_tokens.weight"].index_select(0, tokens.flatten()).view(batch, T, c.HiddenSize);
        for (int l = 0; l < c.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            x = x + Attention(RmsNorm(x, this[p + "input_layernorm.weight"]), p, cos, sin);
            x = x + Mlp(RmsNorm(x, this[p + "post_attention_layernorm.weight"]), p);
        }
        x = RmsNorm(x, this["model.norm.weight"]);
        var head = c.TieWordEmbeddings ? this["model.embed_tokens.weight"] : this["lm_head.weight"];
        return F.linear(x, head).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean next-token cross-entropy of rows [batch, T+1]: inputs are the first T tokens, targets the last T (as
    /// nanoGPT and transformers' shift), computed by log_softmax over the vocabulary.
    /// </summary>
    public Tensor Loss(Tensor rows)
    {
        using var scope = torch.NewDisposeScope();
        long T = rows.shape[1] - 1;
        var logits = Logits(rows.narrow(1, 0, T));
        var targets = rows.narrow(1, 1, T).flatten();
        return F.cross_entropy(logits.view(-1, Config.VocabSize), targets).MoveToOuterDisposeScope();
    }

    private Tensor Linear(Tensor h, string name) =>
        F.linear(h, this[name + ".weight"], _byName.GetValueOrDefault(name + ".bias"));

    private Tensor Attention(Tensor h, string p, Tensor cos, Tensor sin)
    {
        var c = Config;
        long batch = h.shape[0], T = h.shape[1];
        var q = Linear(h, p + "self_attn.q_proj").view(batch, T, c.NumHeads, c.HeadDim).transpose(1, 2);
        var k = Linear(h, p + "self_attn.k_proj").view(batch, T, c.NumKeyValueHeads, c.HeadDim).transpose(1, 2);
        var v = Linear(h, p + "self_attn.v_proj").view(batch, T, c.NumKeyValueHeads, c.HeadDim).transpose(1, 2);
        q = Rope(q, cos, sin);
        k = Rope(k, cos, sin);
        int repeat = c.NumHeads / c.NumKeyValueHeads;
        if (repeat > 1)
        {
            k = k.repeat_interleave(repeat, 1);
            v = v.repeat_interleave(repeat, 1);
        }
        var attn = F.scaled_dot_product_attention(q, k, v, null, 0.0, true);
        return Linear(attn.transpose(1, 2).reshape(batch, T, c.QueryWidth), p + "self_attn.o_proj");
    }

    private static Tensor Rope(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = torch.cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }

    private Tensor Mlp(Tensor h, string p) =>
        Linear(F.silu(Linear(h, p + "mlp.gate_proj")) * Linear(h, p + "mlp.up_proj"), p + "mlp.down_proj");

    /// <summary>RMSNorm with float32 (or wider) statistics, as <see cref="LlamaModel"/> and Hugging Face compute it.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var wide = ScalarType == ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        var normed = wide * (wide.square().mean([-1L], keepdim: true) + Config.RmsNormEps).rsqrt();
        return normed.to(ScalarType) * weight;
    }

    /// <summary>Detached float32 copies of the parameters as checkpoint weights (the caller disposes them).</summary>
    public LlamaWeights ToWeights()
    {
        var tensors = Parameters.ToDictionary(p => p.Name, p => p.Parameter.detach().to(ScalarType.Float32).contiguous());
        return new LlamaWeights(Config, ModelDType.Float32, tensors);
    }

    public void Dispose()
    {
        foreach (var (_, t) in Parameters) t.Dispose();
        _rotary.Dispose();
    }
}
