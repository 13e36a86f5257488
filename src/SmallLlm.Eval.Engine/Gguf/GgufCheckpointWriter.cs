using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>
/// Writes Llama weights as a llama.cpp "llama" GGUF: llama.cpp's tensor names, and q/k rows back in the interleaved
/// RoPE order llama.cpp expects for this architecture (our weights hold Hugging Face's rotate_half order; this is the
/// permutation convert_hf_to_gguf.py applies). Llama 3 rope scaling becomes the rope_freqs tensor.
/// </summary>
public static class GgufCheckpointWriter
{
    public static void Write(LlamaWeights weights, GgufVocabulary vocabulary, string path, GgmlType type, string name)
    {
        var c = weights.Config;
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16)
            throw new ArgumentException($"--type {type.Name}: write f32, f16 or bf16 here and use `smalleval quantize` for quantized types");
        if (vocabulary.Tokens.Length != c.VocabSize)
            throw new ArgumentException($"the tokenizer has {vocabulary.Tokens.Length:N0} tokens but the model's vocabulary is {c.VocabSize:N0}: llama.cpp needs them equal");
        // Only what llama.cpp's "llama" architecture computes; anything else would be dropped silently.
        var unsupported = new[]
        {
            c.ModelType != ModelFamily.Llama ? $"model_type {c.ModelType}" : null,
            c.QkvBias || c.OutputBias || c.MlpBias ? "attention/MLP biases" : null,
            c.QkNorm ? "q/k RMSNorm" : null,
            c.SlidingWindow is not null ? "sliding-window attention" : null,
            c.RopeScaling is { } r && r is not Llama3RopeScaling ? $"rope_scaling type {r.Type}" : null,
        }.OfType<string>().ToList();
        if (unsupported.Count > 0)
            throw new ArgumentException($"GGUF export writes the plain llama architecture; this checkpoint has {string.Join(", ", unsupported)}");
        int fileType = type == GgmlType.F32 ? 0 : type == GgmlType.F16 ? 1 : 32;
        var meta = new List<(string, GgufValueType, object)>
        {
            ("general.architecture", GgufValueType.String, "llama"),
            ("general.name", GgufValueType.String, name),
            ("general.file_type", GgufValueType.UInt32, fileType),
            ("llama.vocab_size", GgufValueType.UInt32, c.VocabSize),
            ("llama.context_length", GgufValueType.UInt32, c.MaxPositionEmbeddings),
            ("llama.embedding_length", GgufValueType.UInt32, c.HiddenSize),
            ("llama.block_count", GgufValueType.UInt32, c.NumLayers),
            ("llama.feed_forward_length", GgufValueType.UInt32, c.IntermediateSize),
            ("llama.attention.head_count", GgufValueType.UInt32, c.NumHeads),
            ("llama.attention.head_count_kv", GgufValueType.UInt32, c.NumKeyValueHeads),
            ("llama.attention.key_length", GgufValueType.UInt32, c.HeadDim),
            ("llama.attention.value_length", GgufValueType.UInt32, c.HeadDim),
            ("llama.rope.dimension_count", GgufValueType.UInt32, c.HeadDim),
            ("llama.rope.freq_base", GgufValueType.Float32, (float)c.RopeTheta),
            ("llama.attention.layer_norm_rms_epsilon", GgufValueType.Float32, (float)c.RmsNormEps),
        };
        meta.AddRange(vocabulary.Metadata());

        var tensors = new List<GgufTensorData>();
        // Norms stay F32 (llama.cpp's convention: 1-D tensors are not worth converting).
        void Add(string ggufName, Tensor t, bool matrix = true)
        {
            var target = matrix ? type : GgmlType.F32;
            var dtype = target == GgmlType.F32 ? ScalarType.Float32 : target == GgmlType.F16 ? ScalarType.Float16 : ScalarType.BFloat16;
            using var converted = t.to_type(dtype).contiguous();
            tensors.Add(new GgufTensorData(ggufName, t.shape.Reverse().ToArray(), target, converted.bytes.ToArray()));
        }
        using (var scope = torch.NewDisposeScope())
        {
            Add("token_embd.weight", weights["model.embed_tokens.weight"]);
            if (c.RopeScaling is Llama3RopeScaling rs)
            {
                var inv = RopeScaling.Unscaled(c.HeadDim, c.RopeTheta);
                var scaled = rs.Apply(inv);
                var factors = inv.Select((f, i) => (float)(f / scaled[i])).ToArray();
                Add("rope_freqs.weight", torch.tensor(factors), matrix: false);
            }
            for (int l = 0; l < c.NumLayers; l++)
            {
                string p = $"model.layers.{l}.", g = $"blk.{l}.";
                Add(g + "attn_norm.weight", weights[p + "input_layernorm.weight"], matrix: false);
                Add(g + "attn_q.weight", LlamaWeights.PermuteToInterleaved(weights[p + "self_attn.q_proj.weight"], c.NumHeads));
                Add(g + "attn_k.weight", LlamaWeights.PermuteToInterleaved(weights[p + "self_attn.k_proj.weight"], c.NumKeyValueHeads));
                Add(g + "attn_v.weight", weights[p + "self_attn.v_proj.weight"]);
                Add(g + "attn_output.weight", weights[p + "self_attn.o_proj.weight"]);
                Add(g + "ffn_norm.weight", weights[p + "post_attention_layernorm.weight"], matrix: false);
                Add(g + "ffn_gate.weight", weights[p + "mlp.gate_proj.weight"]);
                Add(g + "ffn_up.weight", weights[p + "mlp.up_proj.weight"]);
                Add(g + "ffn_down.weight", weights[p + "mlp.down_proj.weight"]);
            }
            Add("output_norm.weight", weights["model.norm.weight"], matrix: false);
            if (!c.TieWordEmbeddings) Add("output.weight", weights["lm_head.weight"]);
        }
        GgufWriter.Write(path, meta, tensors);
    }

    public static GgmlType ParseType(string text) => text.ToLowerInvariant() switch
    {
        "f32" or "fp32" => GgmlType.F32,
        "f16" or "fp16" => GgmlType.F16,
        "bf16" => GgmlType.BF16,
        _ => throw new ArgumentException($"--type '{text}': expected f32, f16 or bf16 (quantized types: `smalleval quantize`)"),
    };
}
