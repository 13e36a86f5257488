using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>
/// Reads and writes a Hugging Face <c>config.json</c> of the families in <see cref="ModelFamily"/>, with each family's
/// defaults as transformers' config classes define them. Keys that would change the math in a way the engine does not
/// implement are refused, never ignored.
/// </summary>
public static class HuggingFaceConfig
{
    /// <summary>Keys of other architectures that change the forward pass; present with a non-neutral value, they are refused.</summary>
    private static readonly Dictionary<string, JsonNode?> ForeignMathKeys = new()
    {
        ["partial_rotary_factor"] = 1.0,
        ["attn_logit_softcapping"] = null,
        ["final_logit_softcapping"] = null,
        ["logits_scaling"] = 1.0,
        ["embedding_multiplier"] = 1.0,
        ["residual_multiplier"] = 1.0,
        ["attention_multiplier"] = null,
        ["query_pre_attn_scalar"] = null,
        ["use_qk_norm"] = false,
        ["qk_layernorm"] = false,
        ["no_rope_layers"] = null,
    };

    public static LlamaConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config.json not found (a Hugging Face model folder needs one)");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object");
        var read = new JsonFields(o, path);

        string modelType = read.String("model_type") ?? ModelFamily.Llama;
        if (!ModelFamily.IsKnown(modelType))
            throw new InvalidDataException(
                $"{path}: model_type '{modelType}' is not implemented by the built-in engine (it implements {string.Join(", ", ModelFamily.All)}); scoring it as Llama would give a different model's numbers");
        string? act = read.String("hidden_act");
        if (act is not null && act != "silu")
            throw new InvalidDataException($"{path}: hidden_act '{act}' is not supported: expected 'silu'");
        foreach (var (key, neutral) in ForeignMathKeys)
            if (o.TryGetPropertyValue(key, out var value) && value is not null && !JsonNode.DeepEquals(value, neutral))
                throw new InvalidDataException($"{path}: '{key}': {value.ToJsonString()} changes the forward pass in a way the {modelType} engine does not implement");

        int hidden = read.Int("hidden_size");
        int heads = read.Int("num_attention_heads");
        int layers = read.Int("num_hidden_layers");
        int maxPositions = read.Int("max_position_embeddings");
        var (ropeTheta, scaling) = ReadRope(read, o, path);
        bool attentionBias = read.Bool("attention_bias") ?? false;
        bool mlpBias = read.Bool("mlp_bias") ?? false;
        if (mlpBias && modelType != ModelFamily.Llama)
            throw new InvalidDataException($"{path}: mlp_bias is true but {modelType} has no MLP biases");
        var (window, firstLayer) = ReadSlidingWindow(read, o, path, modelType, layers);

        return new LlamaConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = read.Int("intermediate_size"),
            NumLayers = layers,
            NumHeads = heads,
            NumKeyValueHeads = read.Int("num_key_value_heads", heads),
            HeadDim = read.Int("head_dim", hidden / Math.Max(1, heads)),
            VocabSize = read.Int("vocab_size"),
            MaxPositionEmbeddings = scaling is DynamicNtkRopeScaling d ? d.ExtendedLength : maxPositions,
            RmsNormEps = read.Double("rms_norm_eps", 1e-6),
            RopeTheta = ropeTheta,
            RopeScaling = scaling,
            TieWordEmbeddings = read.Bool("tie_word_embeddings") ?? false,
            BosTokenId = read.TokenId("bos_token_id"),
            EosTokenId = read.TokenId("eos_token_id"),
            // transformers: Qwen2 hard-codes q/k/v biases (and none on o); Llama and Qwen3 follow attention_bias; Mistral has none.
            QkvBias = modelType == ModelFamily.Qwen2 || (attentionBias && modelType is ModelFamily.Llama or ModelFamily.Qwen3),
            OutputBias = attentionBias && modelType is ModelFamily.Llama or ModelFamily.Qwen3,
            MlpBias = mlpBias,
            QkNorm = modelType == ModelFamily.Qwen3,
            SlidingWindow = window,
            SlidingWindowFirstLayer = firstLayer,
        }.Validated(path);
    }

    /// <summary>
    /// Mistral: <c>sliding_window</c> (or null) for every layer. Qwen2/Qwen3: only with <c>use_sliding_window</c>, in the
    /// layers from <c>max_window_layers</c> on, or as <c>layer_types</c> lists them.
    /// </summary>
    private static (int? Window, int FirstLayer) ReadSlidingWindow(JsonFields read, JsonObject o, string path, string modelType, int layers)
    {
        // MistralConfig's default is 4096 when the key is absent; null (Mistral 7B v0.2+) means full attention.
        if (modelType == ModelFamily.Mistral) return (o.ContainsKey("sliding_window") ? read.OptionalInt("sliding_window") : 4096, 0);
        if (modelType == ModelFamily.Llama) return (null, 0); // LlamaConfig has no sliding window: transformers ignores the key
        int? window = read.Bool("use_sliding_window") == true ? read.OptionalInt("sliding_window") : null;
        int firstLayer = read.Int("max_window_layers", 28);
        if (o["layer_types"] is JsonArray types)
        {
            var kinds = types.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "?").ToList();
            if (kinds.Count != layers || kinds.Any(k => k is not ("full_attention" or "sliding_attention")))
                throw new InvalidDataException($"{path}: layer_types must list 'full_attention' or 'sliding_attention' for each of the {layers} layers");
            int first = kinds.IndexOf("sliding_attention");
            if (first < 0) return (null, 0);
            if (kinds.Skip(first).Any(k => k != "sliding_attention"))
                throw new InvalidDataException($"{path}: layer_types mixes full and sliding attention after layer {first}: only a full-then-sliding split is implemented");
            return (read.OptionalInt("sliding_window") ?? throw new InvalidDataException($"{path}: layer_types has sliding layers but sliding_window is null"), first);
        }
        return window is null || firstLayer >= layers ? (null, 0) : (window, firstLayer);
    }

    private static (double Theta, RopeScaling? Scaling) ReadRope(JsonFields read, JsonObject o, string path)
    {
        // transformers 5 writes rope_parameters {rope_type, rope_theta, ...}; earlier versions rope_theta + rope_scaling.
        JsonNode? node = o["rope_parameters"] ?? o["rope_scaling"];
        double theta = read.Double("rope_theta", 10000.0);
        if (node is null) return (theta, null);
        if (node is not JsonObject s) throw new InvalidDataException($"{path}: rope_scaling must be an object or null");
        var fields = new JsonFields(s, $"{path}: rope_scaling");
        if (o["rope_parameters"] is not null) theta = fields.Double("rope_theta", theta);
        string type = fields.String("rope_type") ?? fields.String("type") ?? "default";
        double Field(string f) => fields.Double(f, double.NaN) is var v && !double.IsNaN(v) ? v
            : throw new InvalidDataException($"{path}: rope_scaling is missing field '{f}'");
        RopeScaling? scaling = type switch
        {
            "default" => null,
            "linear" => new LinearRopeScaling(Field("factor")),
            "dynamic" => new DynamicNtkRopeScaling(Field("factor"), read.Int("max_position_embeddings")),
            "llama3" => new Llama3RopeScaling(Field("factor"), Field("low_freq_factor"), Field("high_freq_factor"),
                (int)Field("original_max_position_embeddings")),
            _ => throw new InvalidDataException(
                $"{path}: rope_scaling type '{type}' is not implemented (default, linear, dynamic, llama3)"),
        };
        return (theta, scaling);
    }

    public static void Write(string path, LlamaConfig c, ModelDType dtype)
    {
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelFamily.Architecture(c.ModelType)),
            ["model_type"] = c.ModelType,
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumLayers,
            ["num_attention_heads"] = c.NumHeads,
            ["num_key_value_heads"] = c.NumKeyValueHeads,
            ["head_dim"] = c.HeadDim,
            ["vocab_size"] = c.VocabSize,
            ["max_position_embeddings"] = c.RopeScaling is DynamicNtkRopeScaling d ? d.OriginalMaxPositionEmbeddings : c.MaxPositionEmbeddings,
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["rope_scaling"] = c.RopeScaling switch
            {
                null => null,
                Llama3RopeScaling r => new JsonObject
                {
                    ["rope_type"] = "llama3",
                    ["factor"] = r.Factor,
                    ["low_freq_factor"] = r.LowFreqFactor,
                    ["high_freq_factor"] = r.HighFreqFactor,
                    ["original_max_position_embeddings"] = r.OriginalMaxPositionEmbeddings,
                },
                var r => new JsonObject { ["rope_type"] = r.Type, ["factor"] = r.Factor },
            },
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = c.TieWordEmbeddings,
            ["torch_dtype"] = dtype == ModelDType.Float32 ? "float32" : "bfloat16",
            ["bos_token_id"] = c.BosTokenId,
            ["eos_token_id"] = c.EosTokenId,
        };
        if (c.ModelType is ModelFamily.Llama or ModelFamily.Qwen3) o["attention_bias"] = c.OutputBias;
        if (c.ModelType == ModelFamily.Llama) o["mlp_bias"] = c.MlpBias;
        if (c.ModelType == ModelFamily.Mistral) o["sliding_window"] = c.SlidingWindow;
        if (c.ModelType is ModelFamily.Qwen2 or ModelFamily.Qwen3)
        {
            o["use_sliding_window"] = c.SlidingWindow is not null;
            o["sliding_window"] = c.SlidingWindow;
            o["max_window_layers"] = c.SlidingWindow is null ? c.NumLayers : c.SlidingWindowFirstLayer;
        }
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
