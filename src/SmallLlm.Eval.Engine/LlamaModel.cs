using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SmallLlm.Eval.Engine;

/// <summary>
/// The Llama forward pass, top to bottom as Hugging Face's LlamaForCausalLM computes it: embedding, then per layer
/// x += o(attn(rope(q), rope(k), v)) over RMSNorm(x) and x += down(silu(gate) * up) over RMSNorm(x), a final RMSNorm,
/// and the LM head. q/k/v and gate/up are fused into one matrix each so a layer costs four matrix multiplies.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private sealed record Layer(Tensor AttnNorm, Tensor Qkv, Tensor O, Tensor MlpNorm, Tensor GateUp, Tensor Down);

    public LlamaConfig Config { get; }
    public ModelDType DType { get; }
    public ScalarType ScalarType { get; }
    public long ParameterCount { get; }

    private readonly Tensor _embedding;
    private readonly Tensor _finalNorm;
    private readonly Tensor _lmHead; // the embedding itself when tied
    private readonly Layer[] _layers;
    private readonly Tensor _cos; // [max_pos, head_dim], rotate_half layout (each frequency twice)
    private readonly Tensor _sin;

    static LlamaModel()
    {
        // Every core this process may use (or --threads): scoring is dominated by large matrix multiplies.
        Hardware.EngineThreads.Apply();
    }

    /// <summary>Takes ownership of <paramref name="weights"/>' tensors (the weights object is left empty).</summary>
    public LlamaModel(LlamaWeights weights)
    {
        Config = weights.Config;
        DType = weights.DType;
        ScalarType = weights.DType == ModelDType.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
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
                Down: weights.Take(p + "mlp.down_proj.weight"));
        }
        _finalNorm = weights.Take("model.norm.weight");
        _lmHead = c.TieWordEmbeddings ? _embedding : weights.Take("lm_head.weight");
        weights.Dispose();

        double[] inv = RotaryFrequencies.InverseFrequencies(c.HeadDim, c.RopeTheta, c.RopeScaling);
        int half = c.HeadDim / 2;
        var cos = new float[c.MaxPositionEmbeddings * c.HeadDim];
        var sin = new float[cos.Length];
        for (int pos = 0; pos < c.MaxPositionEmbeddings; pos++)
            for (int j = 0; j < half; j++)
            {
                double angle = pos * inv[j];
                cos[pos * c.HeadDim + j] = cos[pos * c.HeadDim + j + half] = (float)Math.Cos(angle);
                sin[pos * c.HeadDim + j] = sin[pos * c.HeadDim + j + half] = (float)Math.Sin(angle);
            }
        using var cos32 = torch.tensor(cos, [c.MaxPositionEmbeddings, c.HeadDim]);
        using var sin32 = torch.tensor(sin, [c.MaxPositionEmbeddings, c.HeadDim]);
        _cos = cos32.to(ScalarType);
        _sin = sin32.to(ScalarType);
    }

    /// <summary>
    /// Runs the transformer over <paramref name="tokens"/> [batch, T] starting at position <c>cache?.Length ?? 0</c>, and
    /// returns the final-normed hidden states [batch, T, hidden]. Right padding is harmless: attention is causal.
    /// Rows at different positions (batched decoding) pass <paramref name="positions"/> [batch, T] (the RoPE position of
    /// each token) and <paramref name="attentionMask"/> [batch, 1, T, cached + T] (true: may attend).
    /// </summary>
    public Tensor Hidden(Tensor tokens, KvCache? cache = null, Tensor? positions = null, Tensor? attentionMask = null)
    {
        var c = Config;
        long batch = tokens.shape[0], T = tokens.shape[1];
        int start = cache?.Length ?? 0;
        if (positions is null && start + T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence of {start + T} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");
        Tensor? mask = null;
        if (start > 0 && T > 1 && attentionMask is null) // new tokens see every cached position and the new ones up to themselves
            mask = torch.ones([T, start + T], dtype: ScalarType.Bool).tril(start);
        using var rowCos = positions is null ? null : _cos.index_select(0, positions.flatten()).view(batch, 1, T, c.HeadDim);
        using var rowSin = positions is null ? null : _sin.index_select(0, positions.flatten()).view(batch, 1, T, c.HeadDim);
        var rope = (Cos: rowCos ?? _cos.narrow(0, start, T), Sin: rowSin ?? _sin.narrow(0, start, T));
        try
        {
            Tensor x;
            using (var ids = tokens.flatten()) using (var rows = _embedding.index_select(0, ids)) x = rows.view(batch, T, c.HiddenSize);
            for (int l = 0; l < _layers.Length; l++)
            {
                // Each block frees its temporaries before the next starts: activation memory stays one block deep.
                var afterAttention = AttentionBlock(x, _layers[l], l, start, cache, attentionMask ?? mask, rope);
                x.Dispose();
                x = MlpBlock(afterAttention, _layers[l]);
                afterAttention.Dispose();
            }
            cache?.Advance((int)T);
            var result = RmsNorm(x, _finalNorm);
            x.Dispose();
            return result;
        }
        finally
        {
            mask?.Dispose();
            if (positions is null) { rope.Cos.Dispose(); rope.Sin.Dispose(); }
        }
    }

    /// <summary>x + o(attention(rope(q), rope(k), v)) over RMSNorm(x).</summary>
    private Tensor AttentionBlock(Tensor x, Layer layer, int index, int start, KvCache? cache, Tensor? mask, (Tensor Cos, Tensor Sin) rope)
    {
        var c = Config;
        long batch = x.shape[0], T = x.shape[1];
        int qkHeads = c.NumHeads + c.NumKeyValueHeads;
        int repeat = c.NumHeads / c.NumKeyValueHeads;
        int half = c.HeadDim / 2;
        using var scope = torch.NewDisposeScope();
        var normed = RmsNorm(x, layer.AttnNorm);
        var qkv = F.linear(normed, layer.Qkv);
        normed.Dispose();
        // RoPE on q and k together, [B, q+k heads, T, head_dim]: x·cos + rotate_half(x)·sin.
        var qk = qkv.narrow(2, 0, qkHeads * c.HeadDim).view(batch, T, qkHeads, c.HeadDim).transpose(1, 2);
        var rotated = torch.cat([qk.narrow(3, half, half).neg(), qk.narrow(3, 0, half)], 3);
        rotated.mul_(rope.Sin);
        var roped = qk * rope.Cos;
        roped.add_(rotated);
        rotated.Dispose();
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
        roped.Dispose();
        qkv.Dispose();
        var merged = attn.transpose(1, 2).reshape(batch, T, c.QueryWidth);
        attn.Dispose();
        var projected = F.linear(merged, layer.O);
        merged.Dispose();
        return projected.add_(x).MoveToOuterDisposeScope();
    }

    /// <summary>x + down(silu(gate(h)) · up(h)) with h = RMSNorm(x).</summary>
    private Tensor MlpBlock(Tensor x, Layer layer)
    {
        int hidden = Config.IntermediateSize;
        using var scope = torch.NewDisposeScope();
        var normed = RmsNorm(x, layer.MlpNorm);
        var gateUp = F.linear(normed, layer.GateUp);
        normed.Dispose();
        var act = F.silu(gateUp.narrow(2, 0, hidden));
        act.mul_(gateUp.narrow(2, hidden, hidden));
        gateUp.Dispose();
        var down = F.linear(act, layer.Down);
        act.Dispose();
        return down.add_(x).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [..., vocab] in float32 for hidden states [..., hidden].</summary>
    public Tensor Logits(Tensor hidden)
    {
        using var logits = F.linear(hidden, _lmHead);
        return logits.to(ScalarType.Float32);
    }

    /// <summary>RMSNorm computed in float32 whatever the compute dtype, as Hugging Face does.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        using var scope = torch.NewDisposeScope();
        bool fp32 = ScalarType == ScalarType.Float32;
        var x32 = fp32 ? x : x.to(ScalarType.Float32);
        var meanSquare = x32.square().mean([-1L], keepdim: true);
        var normed = x32 * meanSquare.add_(Config.RmsNormEps).rsqrt_();
        if (!fp32) { var cast = normed.to(ScalarType); normed.Dispose(); normed = cast; }
        return normed.mul_(weight).MoveToOuterDisposeScope();
    }

    public long WeightBytes => ParameterCount * DType.Bytes();

    public void Dispose()
    {
        _embedding.Dispose();
        if (!ReferenceEquals(_lmHead, _embedding)) _lmHead.Dispose();
        _finalNorm.Dispose();
        foreach (var l in _layers)
        {
            l.AttnNorm.Dispose(); l.Qkv.Dispose(); l.O.Dispose(); l.MlpNorm.Dispose(); l.GateUp.Dispose(); l.Down.Dispose();
        }
        _cos.Dispose();
        _sin.Dispose();
    }
}
