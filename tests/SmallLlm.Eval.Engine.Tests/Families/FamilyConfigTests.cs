using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.Tests.Families;

/// <summary>config.json read with each family's transformers defaults, and written back so convert round-trips it.</summary>
public class FamilyConfigTests
{
    private static LlamaConfig Read(string json)
    {
        string dir = TestModels.TempDir();
        string path = Path.Combine(dir, "config.json");
        var o = JsonNode.Parse("""
            { "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 4, "num_attention_heads": 4,
              "max_position_embeddings": 128, "vocab_size": 64 }
            """)!.AsObject();
        foreach (var (k, v) in JsonNode.Parse(json)!.AsObject()) o[k] = v?.DeepClone();
        File.WriteAllText(path, o.ToJsonString());
        return HuggingFaceConfig.Read(path);
    }

    [Fact]
    public void Mistral_without_the_key_uses_the_default_window_and_null_means_full_attention()
    {
        Assert.Equal(4096, Read("""{ "model_type": "mistral" }""").SlidingWindow);
        Assert.Null(Read("""{ "model_type": "mistral", "sliding_window": null }""").SlidingWindow);
        var c = Read("""{ "model_type": "mistral", "sliding_window": 16 }""");
        Assert.True(c.IsSlidingLayer(0) && c.IsSlidingLayer(3));
        Assert.False(c.QkvBias || c.OutputBias || c.MlpBias || c.QkNorm);
    }

    [Fact]
    public void Qwen_slides_only_with_use_sliding_window_from_max_window_layers_or_as_layer_types_say()
    {
        Assert.Null(Read("""{ "model_type": "qwen2", "sliding_window": 16 }""").SlidingWindow);
        Assert.Null(Read("""{ "model_type": "qwen2", "sliding_window": 16, "use_sliding_window": true }""").SlidingWindow); // default max_window_layers 28 >= 4 layers
        var c = Read("""{ "model_type": "qwen2", "sliding_window": 16, "use_sliding_window": true, "max_window_layers": 2 }""");
        Assert.Equal([false, false, true, true], Enumerable.Range(0, 4).Select(c.IsSlidingLayer));
        var typed = Read("""{ "model_type": "qwen3", "sliding_window": 8, "layer_types": ["full_attention", "sliding_attention", "sliding_attention", "sliding_attention"] }""");
        Assert.Equal([false, true, true, true], Enumerable.Range(0, 4).Select(typed.IsSlidingLayer));
        var e = Assert.Throws<InvalidDataException>(() => Read("""{ "model_type": "qwen3", "sliding_window": 8, "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"] }"""));
        Assert.Contains("only a full-then-sliding split is implemented", e.Message);
        Assert.True(Read("""{ "model_type": "qwen2" }""").QkvBias);
        Assert.False(Read("""{ "model_type": "qwen2" }""").OutputBias);
        Assert.True(Read("""{ "model_type": "qwen3" }""").QkNorm);
        Assert.Null(Read("""{ "model_type": "llama", "sliding_window": 8 }""").SlidingWindow); // LlamaConfig has none
    }

    [Fact]
    public void Biases_follow_attention_bias_per_family_and_mlp_bias_only_exists_for_llama()
    {
        var llama = Read("""{ "attention_bias": true }""");
        Assert.True(llama.QkvBias && llama.OutputBias && !llama.MlpBias);
        Assert.False(Read("""{ "model_type": "mistral", "attention_bias": true }""").QkvBias); // MistralAttention has no bias
        var e = Assert.Throws<InvalidDataException>(() => Read("""{ "model_type": "qwen2", "mlp_bias": true }"""));
        Assert.Contains("mlp_bias is true but qwen2 has no MLP biases", e.Message);
    }

    [Fact]
    public void Transformers_five_rope_parameters_are_read()
    {
        var c = Read("""{ "rope_parameters": { "rope_type": "linear", "factor": 2.0, "rope_theta": 500000.0 } }""");
        Assert.Equal(500000.0, c.RopeTheta);
        Assert.Equal(new LinearRopeScaling(2.0), c.RopeScaling);
    }

    public static TheoryData<string> Variants() =>
    [
        """{ "model_type": "qwen2", "sliding_window": 6, "use_sliding_window": true, "max_window_layers": 1 }""",
        """{ "model_type": "qwen3", "head_dim": 16, "attention_bias": true }""",
        """{ "model_type": "mistral", "sliding_window": 5, "num_key_value_heads": 2 }""",
        """{ "model_type": "llama", "attention_bias": true, "mlp_bias": true, "tie_word_embeddings": true }""",
        """{ "rope_scaling": { "rope_type": "dynamic", "factor": 2.0 } }""",
        """{ "rope_scaling": { "type": "linear", "factor": 3.0 } }""",
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Convert_writes_a_config_that_reads_back_as_the_same_model(string json)
    {
        var config = Read(json);
        string dir = TestModels.TempDir();
        using (var w = RandomWeights.Create(config, ModelDType.Float32, 4)) HuggingFaceCheckpoint.Save(w, dir);
        using var a = TestModels.Random(config, seed: 4);
        using var b = new LlamaModel(CheckpointLoader.Load(dir));
        Assert.Equal(config, b.Config);
        int[] tokens = Enumerable.Range(0, 20).Select(i => (i * 7) % 64).ToArray();
        Assert.Equal(0.0, TestModels.MaxAbsDiff(TestModels.FullLogits(a, tokens), TestModels.FullLogits(b, tokens)));
    }
}
