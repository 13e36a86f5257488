namespace SmallLlm.Eval.Engine.Tests.Families;

/// <summary>
/// An independent forward pass in plain C# doubles (no TorchSharp): one position at a time, loops only, exactly the
/// math of transformers' LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM in eager mode.
/// </summary>
public sealed class ReferenceTransformer(ReferenceSpec spec, IReadOnlyDictionary<string, float[]> weights)
{
    private float[] W(string name) => weights[name];

    /// <summary>log-softmax over the vocabulary at every position of one full forward pass over <paramref name="tokens"/>.</summary>
    public double[][] LogProbabilities(int[] tokens)
    {
        var s = spec;
        int T = tokens.Length, d = s.Hidden, hd = s.HeadDim, half = hd / 2, group = s.Heads / s.KvHeads;
        double[] inv = s.InverseFrequencies(T);
        var x = new double[T][];
        var emb = W("model.embed_tokens.weight");
        for (int t = 0; t < T; t++) x[t] = Enumerable.Range(0, d).Select(i => (double)emb[tokens[t] * d + i]).ToArray();

        for (int l = 0; l < s.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            var keys = new double[T][][];
            var values = new double[T][][];
            var queries = new double[T][][];
            for (int t = 0; t < T; t++)
            {
                var h = RmsNorm(x[t], W(p + "input_layernorm.weight"));
                var q = Linear(h, W(p + "self_attn.q_proj.weight"), s.QkvBias ? W(p + "self_attn.q_proj.bias") : null, s.Heads * hd);
                var k = Linear(h, W(p + "self_attn.k_proj.weight"), s.QkvBias ? W(p + "self_attn.k_proj.bias") : null, s.KvHeads * hd);
                var v = Linear(h, W(p + "self_attn.v_proj.weight"), s.QkvBias ? W(p + "self_attn.v_proj.bias") : null, s.KvHeads * hd);
                queries[t] = Heads(q, s.Heads, hd);
                keys[t] = Heads(k, s.KvHeads, hd);
                values[t] = Heads(v, s.KvHeads, hd);
                for (int head = 0; head < s.Heads; head++)
                {
                    if (s.QkNorm) queries[t][head] = RmsNorm(queries[t][head], W(p + "self_attn.q_norm.weight"));
                    queries[t][head] = Rope(queries[t][head], t, inv, half);
                }
                for (int head = 0; head < s.KvHeads; head++)
                {
                    if (s.QkNorm) keys[t][head] = RmsNorm(keys[t][head], W(p + "self_attn.k_norm.weight"));
                    keys[t][head] = Rope(keys[t][head], t, inv, half);
                }
            }
            int? window = s.WindowOfLayer(l);
            var next = new double[T][];
            for (int t = 0; t < T; t++)
            {
                var merged = new double[s.Heads * hd];
                for (int head = 0; head < s.Heads; head++)
                {
                    int kvHead = head / group; // repeat_kv: kv head j serves query heads j*group .. j*group+group-1
                    int first = window is int w ? Math.Max(0, t - w + 1) : 0; // kv > q - w
                    var scores = new double[t + 1 - first];
                    for (int j = first; j <= t; j++)
                    {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += queries[t][head][i] * keys[j][kvHead][i];
                        scores[j - first] = dot / Math.Sqrt(hd);
                    }
                    double max = scores.Max(), sum = scores.Sum(z => Math.Exp(z - max));
                    for (int j = first; j <= t; j++)
                    {
                        double a = Math.Exp(scores[j - first] - max) / sum;
                        for (int i = 0; i < hd; i++) merged[head * hd + i] += a * values[j][kvHead][i];
                    }
                }
                var o = Linear(merged, W(p + "self_attn.o_proj.weight"), s.OBias ? W(p + "self_attn.o_proj.bias") : null, d);
                var afterAttention = x[t].Zip(o, (a, b) => a + b).ToArray();
                var h2 = RmsNorm(afterAttention, W(p + "post_attention_layernorm.weight"));
                var gate = Linear(h2, W(p + "mlp.gate_proj.weight"), s.MlpBias ? W(p + "mlp.gate_proj.bias") : null, s.Intermediate);
                var up = Linear(h2, W(p + "mlp.up_proj.weight"), s.MlpBias ? W(p + "mlp.up_proj.bias") : null, s.Intermediate);
                var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                var down = Linear(act, W(p + "mlp.down_proj.weight"), s.MlpBias ? W(p + "mlp.down_proj.bias") : null, d);
                next[t] = afterAttention.Zip(down, (a, b) => a + b).ToArray();
            }
            x = next;
        }

        var head32 = W(s.Tied ? "model.embed_tokens.weight" : "lm_head.weight");
        var result = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var h = RmsNorm(x[t], W("model.norm.weight"));
            var logits = Linear(h, head32, null, s.Vocab);
            double max = logits.Max();
            double lse = max + Math.Log(logits.Sum(z => Math.Exp(z - max)));
            result[t] = logits.Select(z => z - lse).ToArray();
        }
        return result;
    }

    private double[] RmsNorm(double[] x, float[] weight)
    {
        double ms = x.Sum(v => v * v) / x.Length;
        double r = 1.0 / Math.Sqrt(ms + spec.RmsEps);
        return x.Select((v, i) => v * r * weight[i]).ToArray();
    }

    private static double[] Linear(double[] x, float[] w, float[]? bias, int rows)
    {
        int cols = x.Length;
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double acc = bias?[r] ?? 0;
            int off = r * cols;
            for (int c = 0; c < cols; c++) acc += w[off + c] * x[c];
            y[r] = acc;
        }
        return y;
    }

    private static double[][] Heads(double[] v, int heads, int hd) =>
        Enumerable.Range(0, heads).Select(h => v.Skip(h * hd).Take(hd).ToArray()).ToArray();

    /// <summary>rotate_half RoPE: (x1, x2) -> (x1 cos − x2 sin, x2 cos + x1 sin) with frequency j for both halves.</summary>
    private static double[] Rope(double[] x, int position, double[] inv, int half)
    {
        var y = new double[x.Length];
        for (int j = 0; j < half; j++)
        {
            double angle = position * inv[j], c = Math.Cos(angle), sn = Math.Sin(angle);
            y[j] = x[j] * c - x[j + half] * sn;
            y[j + half] = x[j + half] * c + x[j] * sn;
        }
        return y;
    }
}
