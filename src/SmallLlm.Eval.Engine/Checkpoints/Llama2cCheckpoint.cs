using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>
/// Karpathy's llama2.c checkpoint (legacy "version 0" export): a header of 7 int32 (dim, hidden_dim, n_layers, n_heads,
/// n_kv_heads, vocab_size, seq_len; a negative vocab size means a separate classifier at the end), then float32 weights
/// grouped by kind across layers, then two legacy RoPE tables we skip. q/k rows use interleaved-pair RoPE and are
/// permuted to rotate_half order on load.
/// </summary>
public static class Llama2cCheckpoint
{
    private const int HeaderBytes = 7 * 4;

    public static LlamaWeights Load(string path, ModelDType dtype)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: llama2.c checkpoint not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Load(stream, path, dtype);
    }

    public static LlamaConfig ReadHeader(Stream stream, string source)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        try { stream.ReadExactly(header); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{source}: truncated llama2.c checkpoint (shorter than its 28-byte header)"); }
        if (header[0] == 0x32 && header[1] == 0x34 && header[2] == 0x6b && header[3] == 0x61) // "ak42" magic, little-endian
            throw new InvalidDataException($"{source}: llama2.c export version {BitConverter.ToInt32(header[4..])} is not supported: expected the legacy (version 0) layout");
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) h[i] = BitConverter.ToInt32(header[(i * 4)..]);
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = h[5], seqLen = h[6];
        string[] names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
        for (int i = 0; i < 7; i++)
            if (i != 5 && (h[i] <= 0 || h[i] > 1 << 20))
                throw new InvalidDataException($"{source}: llama2.c header field {names[i]} = {h[i]} is not plausible; is this a llama2.c .bin checkpoint?");
        if (vocab == 0 || Math.Abs(vocab) > 1 << 24)
            throw new InvalidDataException($"{source}: llama2.c header field vocab_size = {vocab} is not plausible");
        if (dim % heads != 0) throw new InvalidDataException($"{source}: dim {dim} is not a multiple of n_heads {heads}");
        return new LlamaConfig
        {
            HiddenSize = dim,
            IntermediateSize = hidden,
            NumLayers = layers,
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = dim / heads,
            VocabSize = Math.Abs(vocab),
            MaxPositionEmbeddings = seqLen,
            RmsNormEps = 1e-5,           // llama2.c's run.c hard-codes these two
            RopeTheta = 10000.0,
            TieWordEmbeddings = vocab > 0,
            BosTokenId = 1,
            EosTokenId = 2,
        }.Validated(source);
    }

    /// <summary>Bytes a legacy checkpoint of this config must have.</summary>
    public static long ExpectedBytes(LlamaConfig c)
    {
        long d = c.HiddenSize, kv = c.KeyValueWidth, h = c.IntermediateSize, l = c.NumLayers, v = c.VocabSize;
        long floats = v * d + l * d + l * d * d + 2 * l * kv * d + l * d * d + l * d + 3 * l * h * d + d
                      + (long)c.MaxPositionEmbeddings * c.HeadDim + (c.TieWordEmbeddings ? 0 : v * d);
        return HeaderBytes + floats * 4;
    }

    public static LlamaWeights Load(Stream stream, string source, ModelDType dtype)
    {
        var config = ReadHeader(stream, source);
        if (stream.CanSeek && stream.Length != ExpectedBytes(config))
            throw new InvalidDataException(
                $"{source}: file is {stream.Length} bytes but its header (dim {config.HiddenSize}, {config.NumLayers} layers, vocab {config.VocabSize}, seq_len {config.MaxPositionEmbeddings}) implies {ExpectedBytes(config)}: truncated or not a legacy llama2.c checkpoint");

        var target = dtype.ToScalarType();
        var tensors = new Dictionary<string, Tensor>();
        int L = config.NumLayers, d = config.HiddenSize, kv = config.KeyValueWidth, hid = config.IntermediateSize;

        Tensor Read(string what, params long[] shape)
        {
            var t = torch.empty(shape, dtype: ScalarType.Float32);
            try { stream.ReadExactly(t.bytes); }
            catch (EndOfStreamException)
            {
                t.Dispose();
                throw new InvalidDataException($"{source}: file ends inside tensor '{what}': truncated checkpoint");
            }
            return t;
        }
        void Put(string name, Tensor t)
        {
            if (t.dtype != target) { var c = t.to(target); t.Dispose(); t = c; }
            tensors[name] = t;
        }
        void PerLayer(string kind, string hfName, long rows, long cols, int permuteHeads = 0)
        {
            for (int l = 0; l < L; l++)
            {
                var t = cols == 0 ? Read($"{kind}[{l}]", rows) : Read($"{kind}[{l}]", rows, cols);
                if (permuteHeads > 0) { var p = LlamaWeights.PermuteForRotateHalf(t, permuteHeads); t.Dispose(); t = p; }
                Put($"model.layers.{l}.{hfName}", t);
            }
        }

        try
        {
            Put("model.embed_tokens.weight", Read("tok_embeddings", config.VocabSize, d));
            PerLayer("rms_att", "input_layernorm.weight", d, 0);
            PerLayer("wq", "self_attn.q_proj.weight", d, d, config.NumHeads);
            PerLayer("wk", "self_attn.k_proj.weight", kv, d, config.NumKeyValueHeads);
            PerLayer("wv", "self_attn.v_proj.weight", kv, d);
            PerLayer("wo", "self_attn.o_proj.weight", d, d);
            PerLayer("rms_ffn", "post_attention_layernorm.weight", d, 0);
            PerLayer("w1", "mlp.gate_proj.weight", hid, d);
            PerLayer("w2", "mlp.down_proj.weight", d, hid);
            PerLayer("w3", "mlp.up_proj.weight", hid, d);
            Put("model.norm.weight", Read("rms_final", d));
            // Legacy RoPE tables (freq_cis_real / freq_cis_imag): we compute our own.
            long skip = (long)config.MaxPositionEmbeddings * config.HeadDim * 4;
            if (stream.CanSeek) stream.Seek(skip, SeekOrigin.Current);
            else { var buf = new byte[skip]; stream.ReadExactly(buf); }
            if (!config.TieWordEmbeddings) Put("lm_head.weight", Read("wcls", config.VocabSize, d));
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new LlamaWeights(config, dtype, tensors);
    }
}
