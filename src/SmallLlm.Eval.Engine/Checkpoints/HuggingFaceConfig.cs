using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>Reads and writes a Hugging Face <c>config.json</c> for <c>LlamaForCausalLM</c>.</summary>
public static class HuggingFaceConfig
{
    public static LlamaConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config.json not found (a Hugging Face model folder needs one)");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object");

        int Int(string field, int? fallback = null)
        {
            var n = o[field];
            if (n is null)
            {
                if (fallback is int f) return f;
                throw new InvalidDataException($"{path}: missing field '{field}' (an integer)");
            }
            try { return n.GetValue<int>(); }
            catch (Exception) { throw new InvalidDataException($"{path}: field '{field}' must be an integer, got {n.ToJsonString()}"); }
        }
        double Double(string field, double fallback)
        {
            var n = o[field];
            if (n is null) return fallback;
            try { return n.GetValue<double>(); }
            catch (Exception) { throw new InvalidDataException($"{path}: field '{field}' must be a number, got {n.ToJsonString()}"); }
        }
        int? TokenId(string field)
        {
            var n = o[field];
            if (n is null) return null;
            if (n is JsonArray a) return a.Count > 0 ? a[0]!.GetValue<int>() : null; // Llama 3.1 lists several EOS ids
            return n.GetValue<int>();
        }

        string? act = o["hidden_act"]?.GetValue<string>();
        if (act is not null && act != "silu")
            throw new InvalidDataException($"{path}: hidden_act '{act}' is not supported: expected 'silu'");
        if (o["attention_bias"]?.GetValue<bool>() == true || o["mlp_bias"]?.GetValue<bool>() == true)
            throw new InvalidDataException($"{path}: attention_bias/mlp_bias are not supported by the Llama engine");

        int hidden = Int("hidden_size");
        int heads = Int("num_attention_heads");
        return new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = Int("intermediate_size"),
            NumLayers = Int("num_hidden_layers"),
            NumHeads = heads,
            NumKeyValueHeads = Int("num_key_value_heads", heads),
            HeadDim = o["head_dim"] is null ? hidden / Math.Max(1, heads) : Int("head_dim"),
            VocabSize = Int("vocab_size"),
            MaxPositionEmbeddings = Int("max_position_embeddings"),
            RmsNormEps = Double("rms_norm_eps", 1e-6),
            RopeTheta = Double("rope_theta", 10000.0),
            RopeScaling = ReadRopeScaling(o["rope_scaling"], path),
            TieWordEmbeddings = o["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            BosTokenId = TokenId("bos_token_id"),
            EosTokenId = TokenId("eos_token_id"),
        }.Validated(path);
    }

    private static Llama3RopeScaling? ReadRopeScaling(JsonNode? node, string path)
    {
        if (node is null) return null;
        if (node is not JsonObject s) throw new InvalidDataException($"{path}: rope_scaling must be an object or null");
        string type = s["rope_type"]?.GetValue<string>() ?? s["type"]?.GetValue<string>() ?? "";
        if (type == "default") return null;
        if (type != "llama3")
            throw new InvalidDataException($"{path}: rope_scaling type '{type}' is not supported: expected 'llama3' or null");
        double Field(string f) => s[f]?.GetValue<double>()
            ?? throw new InvalidDataException($"{path}: rope_scaling is missing field '{f}'");
        return new Llama3RopeScaling(Field("factor"), Field("low_freq_factor"), Field("high_freq_factor"),
            (int)Field("original_max_position_embeddings"));
    }

    public static void Write(string path, LlamaConfig c, ModelDType dtype)
    {
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["model_type"] = "llama",
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumLayers,
            ["num_attention_heads"] = c.NumHeads,
            ["num_key_value_heads"] = c.NumKeyValueHeads,
            ["head_dim"] = c.HeadDim,
            ["vocab_size"] = c.VocabSize,
            ["max_position_embeddings"] = c.MaxPositionEmbeddings,
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["rope_scaling"] = c.RopeScaling is null ? null : new JsonObject
            {
                ["rope_type"] = "llama3",
                ["factor"] = c.RopeScaling.Factor,
                ["low_freq_factor"] = c.RopeScaling.LowFreqFactor,
                ["high_freq_factor"] = c.RopeScaling.HighFreqFactor,
                ["original_max_position_embeddings"] = c.RopeScaling.OriginalMaxPositionEmbeddings,
            },
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = c.TieWordEmbeddings,
            ["torch_dtype"] = dtype == ModelDType.Float32 ? "float32" : "bfloat16",
            ["bos_token_id"] = c.BosTokenId,
            ["eos_token_id"] = c.EosTokenId,
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
        };
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
