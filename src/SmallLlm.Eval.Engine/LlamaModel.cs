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
        // Use every core: scoring is dominated by large matrix multiplies.
        torch.set_num_threads(Environment.ProcessorCount);
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
    /// </summary>
    public Tensor Hidden(Tensor tokens, KvCache? cache = null)
    {
        var c = Config;
        long batch = tokens.shape[0], T = tokens.shape[1];
        int start = cache?.Length ?? 0;
        if (start + T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence of {start + T} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");
        using var scope = torch.NewDisposeScope();
        var x = _embedding.index_select(0, tokens.flatten()).view(batch, T, c.HiddenSize);
        var cos = _cos.narrow(0, start, T);
        var sin = _sin.narrow(0, start, T);
        int qkHeads = c.NumHeads + c.NumKeyValueHeads;
        int repeat = c.NumHeads / c.NumKeyValueHeads;
        int half = c.HeadDim / 2;
        Tensor? mask = null;
        if (start > 0 && T > 1) // new tokens see every cached position and the new ones up to themselves
            mask = torch.ones([T, start + T], dtype: ScalarType.Bool).tril(start);

        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var qkv = F.linear(RmsNorm(x, layer.AttnNorm), layer.Qkv);
            // RoPE on q and k together: [B, T, q+k heads, head_dim]
            var qk = qkv.narrow(2, 0, qkHeads * c.HeadDim).view(batch, T, qkHeads, c.HeadDim).transpose(1, 2);
            var rotated = torch.cat([qk.narrow(3, half, half).neg(), qk.narrow(3, 0, half)], 3);
            qk = qk * cos + rotated * sin;
            var q = qk.narrow(1, 0, c.NumHeads);
            var k = qk.narrow(1, c.NumHeads, c.NumKeyValueHeads);
            var v = qkv.narrow(2, qkHeads * c.HeadDim, c.KeyValueWidth).view(batch, T, c.NumKeyValueHeads, c.HeadDim).transpose(1, 2);
            if (cache is not null) (k, v) = cache.Append(l, k, v);
            if (repeat > 1)
            {
                k = k.repeat_interleave(repeat, 1);
                v = v.repeat_interleave(repeat, 1);
            }
            var attn = F.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null && start == 0 && T > 1);
            x = x + F.linear(attn.transpose(1, 2).reshape(batch, T, c.QueryWidth), layer.O);

            var gateUp = F.linear(RmsNorm(x, layer.MlpNorm), layer.GateUp);
            var act = F.silu(gateUp.narrow(2, 0, c.IntermediateSize)) * gateUp.narrow(2, c.IntermediateSize, c.IntermediateSize);
            x = x + F.linear(act, layer.Down);
        }
        cache?.Advance((int)T);
        return RmsNorm(x, _finalNorm).MoveToOuterDisposeScope();
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
        var x32 = ScalarType == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
        var normed = x32 * torch.rsqrt(x32.pow(2).mean([-1L], keepdim: true) + Config.RmsNormEps);
        return (ScalarType == ScalarType.Float32 ? normed : normed.to(ScalarType)) * weight;
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
