using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SmallLlm.Eval.Engine;

/// <summary>
/// The Llama forward pass, top to bottom as Hugging Face's LlamaForCausalLM computes it: embedding, then per layer
/// x += o(attn(rope(q), rope(k), v)) over RMSNorm(x) and x += down(silu(gate) * up) over RMSNorm(x), a final RMSNorm,
/// and the LM head. q/k/v and gate/up are fused into one matrix each so a layer costs four matrix multiplies.
/// The family variations (<see cref="LlamaConfig.ModelType"/>) are optional parts of a layer: q/k/v, o and MLP biases
/// (Qwen2, Llama with attention_bias/mlp_bias), q/k RMSNorm before RoPE (Qwen3), and a sliding-window mask (Mistral,
/// Qwen2 with use_sliding_window) once a sequence is longer than the window.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private sealed record Layer(Tensor AttnNorm, Tensor Qkv, Tensor O, Tensor MlpNorm, Tensor GateUp, Tensor Down)
    {
        public Tensor? QkvBias { get; init; }
        public Tensor? OBias { get; init; }
        public Tensor? QNorm { get; init; }
        public Tensor? KNorm { get; init; }
        public Tensor? GateUpBias { get; init; }
        public Tensor? DownBias { get; init; }

        public IEnumerable<Tensor> All() =>
            new[] { AttnNorm, Qkv, O, MlpNorm, GateUp, Down, QkvBias, OBias, QNorm, KNorm, GateUpBias, DownBias }.OfType<Tensor>();
    }

    public LlamaConfig Config { get; }
    public ModelDType DType { get; }
    public ScalarType ScalarType { get; }
    public long ParameterCount { get; }

    private readonly Tensor _embedding;
    private readonly Tensor _finalNorm;
    private readonly Tensor _lmHead; // the embedding itself when tied
    private readonly Layer[] _layers;
    private readonly RotaryTables _rotary;

    static LlamaModel()
    {
        // Every core this process may use (or --threads): scoring is dominated by large matrix multiplies.
        Hardware.EngineThreads.Apply();
        Hardware.HeapReuse.Apply();
    }

    /// <summary>Takes ownership of <paramref name="weights"/>' tensors (the weights object is left empty).</summary>
    public LlamaModel(LlamaWeights weights)
    {
        Config = weights.Config;
        DType = weights.DType;
        ScalarType = weights.DType.ToScalarType();
        ParameterCount = weights.ParameterCount;
        var c = Config;
        _embedding = weights.Take("model.embed_tokens.weight");
        _layers = new Layer[c.NumLayers];
        for (int l = 0; l < c.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            using var q = weights.Take(p + "self_attn.q_proj.weight");
            using var k = weights.Take(p + "self_attn.k_proj.weight");
            using var v = weights.Take(p + "self_attn.v_proj.weight");
            using var gate = weights.Take(p + "mlp.gate_proj.weight");
            using var up = weights.Take(p + "mlp.up_proj.weight");
            _layers[l] = new Layer(
                AttnNorm: weights.Take(p + "input_layernorm.weight"),
                Qkv: torch.cat([q, k, v], 0),
                O: weights.Take(p + "self_attn.o_proj.weight"),
                MlpNorm: weights.Take(p + "post_attention_layernorm.weight"),
                GateUp: torch.cat([gate, up], 0),
                Down: weights.Take(p + "mlp.down_proj.weight"))
            {
                QkvBias = c.QkvBias ? TakeConcatenated(weights, p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias") : null,
                OBias = c.OutputBias ? weights.Take(p + "self_attn.o_proj.bias") : null,
                QNorm = c.QkNorm ? weights.Take(p + "self_attn.q_norm.weight") : null,
                KNorm = c.QkNorm ? weights.Take(p + "self_attn.k_norm.weight") : null,
                GateUpBias = c.MlpBias ? TakeConcatenated(weights, p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias") : null,
                DownBias = c.MlpBias ? weights.Take(p + "mlp.down_proj.bias") : null,
            };
        }
        _finalNorm = weights.Take("model.norm.weight");
        _lmHead = c.TieWordEmbeddings ? _embedding : weights.Take("lm_head.weight");
        weights.Dispose();

        _rotary = new RotaryTables(c, ScalarType);
    }

    private static Tensor TakeConcatenated(LlamaWeights weights, params string[] names)
    {
        var parts = names.Select(weights.Take).ToArray();
        try { return torch.cat(parts, 0); }
        finally { foreach (var t in parts) t.Dispose(); }
    }

    /// <summary>RoPE positions built so far: tables grow with the longest sequence a run reaches.</summary>
    public int RotaryPositionsBuilt => _rotary.Rows;

    /// <summary>
    /// Runs the transformer over <paramref name="tokens"/> [batch, T] starting at position <c>cache?.Length ?? 0</c>, and
    /// returns the final-normed hidden states [batch, T, hidden]. Right padding is harmless: attention is causal.
    /// Rows at different positions (batched decoding) pass <paramref name="positions"/> [batch, T] (the RoPE position of
    /// each token) and <paramref name="attentionMask"/> [batch, 1, T, cached + T] (true: may attend).
    /// Lifetimes: every tensor made here belongs to a dispose scope. The residual stream x is one tensor added to in place;
    /// each sublayer runs in its own scope, so its temporaries are freed when it returns and activation memory stays one
    /// sublayer deep; the pass's own scope frees masks, RoPE tables and x, even when a layer throws.
    /// </summary>
    public Tensor Hidden(Tensor tokens, KvCache? cache = null, Tensor? positions = null, Tensor? attentionMask = null)
    {
        var c = Config;
        long batch = tokens.shape[0], T = tokens.shape[1];
        int start = cache?.Length ?? 0;
        if (positions is null && start + T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence of {start + T} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");
        if (attentionMask is not null && c.SlidingWindow is int w && start + T > w) // BatchedGenerator never batches past it
            throw new InvalidOperationException($"a per-row attention mask over {start + T} positions exceeds the sliding window of {w}");
        using var scope = torch.NewDisposeScope();
        // New tokens see every cached position and the new ones up to themselves; sliding layers only the last w (kv > q - w).
        var mask = attentionMask ?? (start > 0 && T > 1 ? Causal(start, T, start) : null);
        var windowMask = attentionMask is null && c.SlidingWindow is int window && start + T > window
            ? Causal(start, T, start).logical_xor(Causal(start, T, start - window)) : null;
        var (cos, sin) = positions is null ? _rotary.For(start, (int)T) : _rotary.At(positions, batch, T);
        var x = _embedding.index_select(0, tokens.flatten()).view(batch, T, c.HiddenSize);
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var layerMask = c.IsSlidingLayer(l) && windowMask is not null ? windowMask : mask;
            using (torch.NewDisposeScope()) x.add_(Attention(RmsNorm(x, layer.AttnNorm), layer, l, start, cache, layerMask, cos, sin));
            using (torch.NewDisposeScope()) x.add_(Mlp(RmsNorm(x, layer.MlpNorm), layer));
        }
        cache?.Advance((int)T);
        return RmsNorm(x, _finalNorm).MoveToOuterDisposeScope();
    }

    private static Tensor Causal(int start, long T, int diagonal) => torch.ones([T, start + T], dtype: ScalarType.Bool).tril(diagonal);

    /// <summary>o(attention(rope(q), rope(k), v)) of the normed input h [batch, T, hidden].</summary>
    private Tensor Attention(Tensor h, Layer layer, int index, int start, KvCache? cache, Tensor? mask, Tensor cos, Tensor sin)
    {
        var c = Config;
        long batch = h.shape[0], T = h.shape[1];
        int qkHeads = c.NumHeads + c.NumKeyValueHeads;
        int repeat = c.NumHeads / c.NumKeyValueHeads;
        var qkv = F.linear(h, layer.Qkv, layer.QkvBias);
        var qk = qkv.narrow(2, 0, qkHeads * c.HeadDim).view(batch, T, qkHeads, c.HeadDim);
        if (layer.QNorm is not null) // Qwen3: RMSNorm over each head's width, before RoPE
            qk = torch.cat([RmsNorm(qk.narrow(2, 0, c.NumHeads), layer.QNorm), RmsNorm(qk.narrow(2, c.NumHeads, c.NumKeyValueHeads), layer.KNorm!)], 2);
        var roped = Rope(qk.transpose(1, 2), cos, sin); // q and k heads together: [B, q+k heads, T, head_dim]
        var q = roped.narrow(1, 0, c.NumHeads);
        var k = roped.narrow(1, c.NumHeads, c.NumKeyValueHeads);
        var v = qkv.narrow(2, qkHeads * c.HeadDim, c.KeyValueWidth).view(batch, T, c.NumKeyValueHeads, c.HeadDim).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(index, k, v);
        if (repeat > 1)
        {
            k = k.repeat_interleave(repeat, 1);
            v = v.repeat_interleave(repeat, 1);
        }
        var attn = F.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null && start == 0 && T > 1);
        return F.linear(attn.transpose(1, 2).reshape(batch, T, c.QueryWidth), layer.O, layer.OBias);
    }

    /// <summary>RoPE in rotate_half form: x·cos + rotate_half(x)·sin.</summary>
    private static Tensor Rope(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope(); // rotate_half's copies are freed before attention runs
        long half = x.shape[^1] / 2;
        var rotated = torch.cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1).mul_(sin);
        return (x * cos).add_(rotated).MoveToOuterDisposeScope();
    }

    /// <summary>down(silu(gate(h)) · up(h)) of the normed input h.</summary>
    private Tensor Mlp(Tensor h, Layer layer)
    {
        int hidden = Config.IntermediateSize;
        var gateUp = F.linear(h, layer.GateUp, layer.GateUpBias);
        var act = F.silu(gateUp.narrow(2, 0, hidden)).mul_(gateUp.narrow(2, hidden, hidden));
        return F.linear(act, layer.Down, layer.DownBias);
    }

    /// <summary>Logits [..., vocab] in float32 for hidden states [..., hidden].</summary>
    public Tensor Logits(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        return F.linear(hidden, _lmHead).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>RMSNorm computed in float32 whatever the compute dtype, as Hugging Face does.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        using var scope = torch.NewDisposeScope(); // the float32 copy and the squares are freed on return
        var x32 = x.to(ScalarType.Float32); // x itself when already float32
        var normed = x32 * x32.square().mean([-1L], keepdim: true).add_(Config.RmsNormEps).rsqrt_();
        return normed.to(ScalarType).mul_(weight).MoveToOuterDisposeScope();
    }

    public long WeightBytes => ParameterCount * DType.Bytes();

    public void Dispose()
    {
        _embedding.Dispose();
        if (!ReferenceEquals(_lmHead, _embedding)) _lmHead.Dispose();
        _finalNorm.Dispose();
        foreach (var l in _layers)
            foreach (var t in l.All()) t.Dispose();
        _rotary.Dispose();
    }
}
