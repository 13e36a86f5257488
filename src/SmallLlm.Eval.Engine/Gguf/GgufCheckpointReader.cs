using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>
/// Reads a llama.cpp "llama" GGUF back into the built-in engine's weights: the inverse of
/// <see cref="GgufCheckpointWriter"/> (llama.cpp's tensor names to Hugging Face's, q/k rows from llama.cpp's interleaved
/// RoPE order back to rotate_half). Only f32, f16 and bf16 tensors are read; a quantized file is refused by name (it
/// runs on llama.cpp), as is a file with a rope_freqs tensor (Llama 3 rope scaling is not read back).
/// </summary>
public static class GgufCheckpointReader
{
    public static LlamaConfig ReadConfig(string path) => ReadConfig(GgufFile.Read(path));

    private static LlamaConfig ReadConfig(GgufFile gguf)
    {
        string arch = gguf.Architecture;
        if (arch != "llama") throw new InvalidDataException($"{gguf.Path}: general.architecture is '{arch}': the built-in engine reads 'llama' GGUF files (run this one on llama.cpp)");
        long Int(string key, long? fallback = null) => gguf.GetInteger("llama." + key) ?? fallback
            ?? throw new InvalidDataException($"{gguf.Path}: metadata key 'llama.{key}' is missing");
        double Real(string key, double fallback) => gguf.Metadata.TryGetValue("llama." + key, out var v) ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        var embed = gguf.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight")
            ?? throw new InvalidDataException($"{gguf.Path}: tensor 'token_embd.weight' is missing");
        int hidden = (int)Int("embedding_length"), heads = (int)Int("attention.head_count");
        long? bos = gguf.GetInteger("tokenizer.ggml.bos_token_id"), eos = gguf.GetInteger("tokenizer.ggml.eos_token_id");
        return new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = (int)Int("feed_forward_length"),
            NumLayers = (int)Int("block_count"),
            NumHeads = heads,
            NumKeyValueHeads = (int)Int("attention.head_count_kv", heads),
            HeadDim = (int)Int("attention.key_length", hidden / heads),
            VocabSize = (int)Int("vocab_size", embed.Shape[1]),
            MaxPositionEmbeddings = (int)Int("context_length"),
            RmsNormEps = Real("attention.layer_norm_rms_epsilon", 1e-5),
            RopeTheta = Real("rope.freq_base", 10000.0),
            TieWordEmbeddings = gguf.Tensors.All(t => t.Name != "output.weight"),
            BosTokenId = bos is null ? null : (int)bos,
            EosTokenId = eos is null ? null : (int)eos,
        }.Validated(gguf.Path);
    }

    public static LlamaWeights Load(string path, ModelDType dtype)
    {
        var gguf = GgufFile.Read(path);
        var c = ReadConfig(gguf);
        if (gguf.Tensors.Any(t => t.Name == "rope_freqs.weight"))
            throw new InvalidDataException($"{path}: it scales RoPE with a rope_freqs tensor (Llama 3.x), which the built-in engine does not read back from GGUF: load the Hugging Face checkpoint it was made from, or run it on llama.cpp");
        var names = new Dictionary<string, (string Ours, int PermuteHeads)>
        {
            ["token_embd.weight"] = ("model.embed_tokens.weight", 0),
            ["output_norm.weight"] = ("model.norm.weight", 0),
        };
        if (!c.TieWordEmbeddings) names["output.weight"] = ("lm_head.weight", 0);
        for (int l = 0; l < c.NumLayers; l++)
        {
            string g = $"blk.{l}.", p = $"model.layers.{l}.";
            names[g + "attn_norm.weight"] = (p + "input_layernorm.weight", 0);
            names[g + "attn_q.weight"] = (p + "self_attn.q_proj.weight", c.NumHeads);
            names[g + "attn_k.weight"] = (p + "self_attn.k_proj.weight", c.NumKeyValueHeads);
            names[g + "attn_v.weight"] = (p + "self_attn.v_proj.weight", 0);
            names[g + "attn_output.weight"] = (p + "self_attn.o_proj.weight", 0);
            names[g + "ffn_norm.weight"] = (p + "post_attention_layernorm.weight", 0);
            names[g + "ffn_gate.weight"] = (p + "mlp.gate_proj.weight", 0);
            names[g + "ffn_up.weight"] = (p + "mlp.up_proj.weight", 0);
            names[g + "ffn_down.weight"] = (p + "mlp.down_proj.weight", 0);
        }
        // Headers first: nothing is read from a file the engine cannot use whole.
        foreach (var t in gguf.Tensors)
        {
            if (!names.ContainsKey(t.Name)) throw new InvalidDataException($"{path}: tensor '{t.Name}' is not part of the llama architecture the built-in engine runs");
            if (t.Type != GgmlType.F32 && t.Type != GgmlType.F16 && t.Type != GgmlType.BF16)
                throw new InvalidDataException($"{path}: tensor '{t.Name}' is {t.Type.Name}: the built-in engine reads f32, f16 and bf16 GGUF tensors; a quantized file runs on llama.cpp (the default backend for .gguf)");
        }
        var expected = LlamaWeights.ExpectedTensors(c).ToDictionary(e => e.Name, e => e.Shape);
        var byName = gguf.Tensors.ToDictionary(t => t.Name);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            using var file = File.OpenRead(path);
            foreach (var (ggufName, (ours, permuteHeads)) in names)
            {
                var info = byName.GetValueOrDefault(ggufName) ?? throw new InvalidDataException($"{path}: tensor '{ggufName}' is missing ({c.NumLayers} layers in the metadata)");
                long[] shape = [.. info.Shape.Reverse()]; // ggml lists the fastest-varying dimension first
                if (!shape.SequenceEqual(expected[ours]))
                    throw new InvalidDataException($"{path}: tensor '{ggufName}' has shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expected[ours])}] from the metadata");
                var bytes = new byte[info.Bytes];
                file.Position = gguf.DataOffset + info.Offset;
                file.ReadExactly(bytes);
                using var floats = torch.tensor(ToFloats(bytes, info.Type), shape);
                var t = floats.to_type(dtype.ToScalarType());
                if (permuteHeads > 0) { var permuted = LlamaWeights.PermuteForRotateHalf(t, permuteHeads); t.Dispose(); t = permuted; }
                tensors[ours] = t;
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new LlamaWeights(c, dtype, tensors);
    }

    private static float[] ToFloats(byte[] bytes, GgmlType type)
    {
        if (type == GgmlType.F32) return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (type == GgmlType.F16) return [.. MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h)];
        var bf16 = MemoryMarshal.Cast<byte, ushort>(bytes);
        var floats = new float[bf16.Length];
        for (int i = 0; i < floats.Length; i++) floats[i] = BitConverter.Int32BitsToSingle(bf16[i] << 16); // bf16 is a float's top half
        return floats;
    }
}
