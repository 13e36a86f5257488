using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Engine.Tests.Families;

/// <summary>
/// Random-weight folders in each family's config.json shape (small widths, the real vocabulary sizes and special
/// settings) scored by the engine and by <see cref="ReferenceTransformer"/>: every log-probability of every position
/// within 1e-4 in fp32, including sequences longer than a sliding window and beyond a RoPE scaling boundary.
/// </summary>
public class FamilyForwardTests
{
    private const double Tolerance = 1e-4;

    private static int[] Tokens(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocab)).ToArray();
    }

    /// <summary>Loads the folder, scores <paramref name="length"/> random tokens in one pass and compares every log-probability.</summary>
    private static LlamaModel AssertMatchesReference(JsonObject config, ReferenceSpec spec, int length, int seed = 3)
    {
        var folder = new RandomFamilyFolder(config, spec, seed);
        var model = new LlamaModel(CheckpointLoader.Load(folder.Dir));
        int[] tokens = Tokens(length, spec.Vocab, seed + 1);
        var expected = new ReferenceTransformer(spec, folder.Weights).LogProbabilities(tokens);
        var logits = TestModels.FullLogits(model, tokens);
        double worst = 0;
        for (int t = 0; t < tokens.Length; t++)
        {
            double max = double.NegativeInfinity;
            for (int v = 0; v < spec.Vocab; v++) max = Math.Max(max, logits[t, v]);
            double sum = 0;
            for (int v = 0; v < spec.Vocab; v++) sum += Math.Exp(logits[t, v] - max);
            double lse = max + Math.Log(sum);
            for (int v = 0; v < spec.Vocab; v++) worst = Math.Max(worst, Math.Abs(logits[t, v] - lse - expected[t][v]));
        }
        Assert.True(worst < Tolerance, $"max |log p engine - log p reference| = {worst:G3} over {tokens.Length} positions x {spec.Vocab} tokens");
        // The model is not trivially uniform: the reference's log-probabilities spread over several nats.
        Assert.True(expected.Max(r => r.Max() - r.Min()) > 3, "reference log-probabilities are nearly uniform: the test would prove little");
        return model;
    }

    private static JsonObject Config(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Qwen25_small_shape_with_qkv_biases_matches_the_reference()
    {
        // Qwen2.5-0.5B's config.json with small widths: q/k/v biases (hard-coded in Qwen2), tied, theta 1e6,
        // a sliding_window that use_sliding_window=false switches off.
        var config = Config("""
        { "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu", "hidden_size": 32,
          "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
          "max_position_embeddings": 32768, "max_window_layers": 21, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
          "sliding_window": 4, "use_sliding_window": false, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
          "vocab_size": 151936, "bos_token_id": 151643, "eos_token_id": 151643, "attention_dropout": 0.0,
          "initializer_range": 0.02, "rope_scaling": null, "use_cache": true, "use_mrope": false }
        """);
        using var model = AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 8, Vocab = 151936, RmsEps = 1e-6,
            Tied = true, QkvBias = true, InverseFrequencies = _ => ReferenceSpec.Default(8, 1e6),
        }, length: 24);
        Assert.Null(model.Config.SlidingWindow);
    }

    [Fact]
    public void Qwen2_sliding_window_applies_from_max_window_layers_on()
    {
        var config = Config("""
        { "model_type": "qwen2", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 3,
          "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256, "max_window_layers": 1,
          "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 6, "use_sliding_window": true,
          "tie_word_embeddings": false, "vocab_size": 500 }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 3, Heads = 4, KvHeads = 2, HeadDim = 8, Vocab = 500, RmsEps = 1e-6,
            Tied = false, QkvBias = true, WindowOfLayer = l => l >= 1 ? 6 : null, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        }, length: 30).Dispose();
    }

    [Fact]
    public void Mistral_sliding_window_on_sequences_longer_than_the_window_matches_the_reference()
    {
        // Mistral-7B-v0.1's config.json with small widths: sliding_window in every layer, untied, no biases.
        var config = Config("""
        { "architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_act": "silu", "hidden_size": 32,
          "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1,
          "max_position_embeddings": 32768, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 8,
          "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 32000, "bos_token_id": 1,
          "eos_token_id": 2 }
        """);
        var spec = new ReferenceSpec
        {
            Hidden = 32, Intermediate = 64, Layers = 2, Heads = 4, KvHeads = 1, HeadDim = 8, Vocab = 32000, RmsEps = 1e-5,
            Tied = false, WindowOfLayer = _ => 8, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        };
        using var model = AssertMatchesReference(config, spec, length: 30);
        Assert.Equal(8, model.Config.SlidingWindow);
    }

    [Fact]
    public void Sliding_window_holds_through_the_kv_cache_when_continuations_share_a_context()
    {
        var config = Config("""
        { "model_type": "mistral", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096, "rms_norm_eps": 1e-05,
          "sliding_window": 5, "vocab_size": 300 }
        """);
        var spec = new ReferenceSpec
        {
            Hidden = 32, Intermediate = 64, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 8, Vocab = 300, RmsEps = 1e-5,
            Tied = false, WindowOfLayer = _ => 5, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        };
        var folder = new RandomFamilyFolder(config, spec, 11);
        using var model = new LlamaModel(CheckpointLoader.Load(folder.Dir));
        int[] context = Tokens(12, 300, 1), a = Tokens(9, 300, 2), b = Tokens(7, 300, 3);
        // Two multi-token continuations of one context: the scorer runs the context once and continues from its KV cache.
        var scores = new TokenScorer(model).Loglikelihood([new ContinuationRequest(context, a), new ContinuationRequest(context, b)]);
        var reference = new ReferenceTransformer(spec, folder.Weights);
        foreach (var (continuation, score) in new[] { (a, scores[0]), (b, scores[1]) })
        {
            int[] all = [.. context, .. continuation];
            var lp = reference.LogProbabilities(all);
            for (int i = 0; i < continuation.Length; i++)
                Assert.Equal(lp[context.Length - 1 + i][continuation[i]], score.TokenLogProbs[i], Tolerance);
        }
    }

    [Fact]
    public void Greedy_decoding_one_token_at_a_time_respects_the_sliding_window()
    {
        // Decoding appends one position per pass: the window mask must also cover a single query over a long cache.
        var config = Config("""
        { "model_type": "mistral", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096, "rms_norm_eps": 1e-05,
          "sliding_window": 4, "vocab_size": 200 }
        """);
        var spec = new ReferenceSpec
        {
            Hidden = 32, Intermediate = 64, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 8, Vocab = 200, RmsEps = 1e-5,
            Tied = false, WindowOfLayer = _ => 4, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        };
        var folder = new RandomFamilyFolder(config, spec, 21);
        using var model = new LlamaModel(CheckpointLoader.Load(folder.Dir));
        int[] prompt = Tokens(6, 200, 5);
        var generated = new SmallLlm.Eval.Engine.Generation.TokenGenerator(model)
            .Generate(prompt, new SmallLlm.Eval.Engine.Generation.GenerationSettings { MaxNewTokens = 16 }).Tokens;
        Assert.Equal(16, generated.Length);
        var reference = new ReferenceTransformer(spec, folder.Weights).LogProbabilities([.. prompt, .. generated]);
        for (int i = 0; i < generated.Length; i++)
        {
            var row = reference[prompt.Length - 1 + i];
            int best = Array.IndexOf(row, row.Max());
            Assert.True(best == generated[i] || row.Max() - row[generated[i]] < Tolerance,
                $"step {i}: generated {generated[i]} (log p {row[generated[i]]:F5}), reference argmax {best} (log p {row.Max():F5})");
        }
    }

    [Fact]
    public void SmolLM2_small_shape_matches_the_reference()
    {
        // SmolLM2-135M's config.json with small widths: llama, tied, theta 100000, GQA 3:1, vocab 49152.
        var config = Config("""
        { "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 48,
          "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 6, "num_key_value_heads": 2,
          "max_position_embeddings": 8192, "rms_norm_eps": 1e-05, "rope_theta": 100000, "rope_scaling": null,
          "tie_word_embeddings": true, "vocab_size": 49152, "bos_token_id": 0, "eos_token_id": 0,
          "attention_bias": false, "mlp_bias": false, "pretraining_tp": 1, "torch_dtype": "bfloat16" }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 48, Intermediate = 64, Layers = 2, Heads = 6, KvHeads = 2, HeadDim = 8, Vocab = 49152, RmsEps = 1e-5,
            Tied = true, InverseFrequencies = _ => ReferenceSpec.Default(8, 100000),
        }, length: 20).Dispose();
    }

    [Fact]
    public void TinyLlama_small_shape_matches_the_reference()
    {
        // TinyLlama-1.1B's config.json with small widths: untied, 4:1 GQA, vocab 32000, no head_dim key.
        var config = Config("""
        { "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 32,
          "intermediate_size": 56, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1,
          "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "rope_scaling": null, "tie_word_embeddings": false,
          "vocab_size": 32000, "bos_token_id": 1, "eos_token_id": 2, "pretraining_tp": 1, "torch_dtype": "bfloat16" }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 56, Layers = 2, Heads = 4, KvHeads = 1, HeadDim = 8, Vocab = 32000, RmsEps = 1e-5,
            Tied = false, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        }, length: 20).Dispose();
    }

    [Fact]
    public void Llama32_small_shape_with_llama3_rope_scaling_matches_the_reference()
    {
        // Llama-3.2-1B's config.json with small widths: tied, theta 500000, llama3 scaling factor 32 (low 1, high 4),
        // explicit head_dim; original context shrunk to 64 so every band of frequencies occurs at head_dim 16.
        var config = Config("""
        { "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 32,
          "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
          "head_dim": 16, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
          "rope_scaling": { "factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                            "original_max_position_embeddings": 64, "rope_type": "llama3" },
          "tie_word_embeddings": true, "vocab_size": 128256, "bos_token_id": 128000, "eos_token_id": 128001,
          "attention_bias": false, "mlp_bias": false, "torch_dtype": "bfloat16" }
        """);
        double[] Llama3(int _)
        {
            var inv = ReferenceSpec.Default(16, 500000);
            double low = 64 / 1.0, high = 64 / 4.0;
            return inv.Select(f =>
            {
                double wl = 2 * Math.PI / f;
                if (wl < high) return f;
                if (wl > low) return f / 32;
                double smooth = (64 / wl - 1) / (4 - 1);
                return (1 - smooth) * f / 32 + smooth * f;
            }).ToArray();
        }
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 64, Layers = 2, Heads = 2, KvHeads = 1, HeadDim = 16, Vocab = 128256, RmsEps = 1e-5,
            Tied = true, InverseFrequencies = Llama3,
        }, length: 80).Dispose();
    }

    [Fact]
    public void Llama_with_attention_and_mlp_biases_matches_the_reference()
    {
        var config = Config("""
        { "model_type": "llama", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512, "rms_norm_eps": 1e-06,
          "attention_bias": true, "mlp_bias": true, "tie_word_embeddings": false, "vocab_size": 256 }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 2, Heads = 4, KvHeads = 4, HeadDim = 8, Vocab = 256, RmsEps = 1e-6,
            Tied = false, QkvBias = true, OBias = true, MlpBias = true, InverseFrequencies = _ => ReferenceSpec.Default(8, 10000),
        }, length: 20).Dispose();
    }

    [Fact]
    public void Qwen3_qk_norm_and_explicit_head_dim_match_the_reference()
    {
        // Qwen3-0.6B's config.json with small widths: q/k RMSNorm, head_dim 16 x 4 heads != hidden 32, tied.
        var config = Config("""
        { "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu", "hidden_size": 32,
          "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
          "head_dim": 16, "max_position_embeddings": 40960, "max_window_layers": 28, "rms_norm_eps": 1e-06,
          "rope_theta": 1000000, "rope_scaling": null, "sliding_window": null, "use_sliding_window": false,
          "attention_bias": false, "tie_word_embeddings": true, "vocab_size": 151936, "torch_dtype": "bfloat16" }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 16, Vocab = 151936, RmsEps = 1e-6,
            Tied = true, QkNorm = true, InverseFrequencies = _ => ReferenceSpec.Default(16, 1e6),
        }, length: 20).Dispose();
    }

    [Fact]
    public void Linear_rope_scaling_divides_every_frequency()
    {
        var config = Config("""
        { "model_type": "llama", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
          "num_attention_heads": 2, "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-06,
          "rope_scaling": { "type": "linear", "factor": 4.0 }, "vocab_size": 300 }
        """);
        AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 2, Heads = 2, KvHeads = 2, HeadDim = 16, Vocab = 300, RmsEps = 1e-6,
            Tied = false, InverseFrequencies = _ => ReferenceSpec.Default(16, 10000).Select(f => f / 4).ToArray(),
        }, length: 40).Dispose();
    }

    [Theory]
    [InlineData(12)] // within the original 16 positions: unscaled
    [InlineData(45)] // beyond it: the base grows with the pass's length
    public void Dynamic_ntk_scaling_beyond_the_original_context_matches_the_reference(int length)
    {
        var config = Config("""
        { "model_type": "llama", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
          "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 16, "rms_norm_eps": 1e-06,
          "rope_scaling": { "rope_type": "dynamic", "factor": 4.0 }, "vocab_size": 300 }
        """);
        double[] Dynamic(int seqLen)
        {
            // transformers _compute_dynamic_ntk_parameters with seq_len = the pass's length
            int l = Math.Max(seqLen, 16);
            double b = 10000 * Math.Pow(4.0 * l / 16 - 3, 16 / 14.0);
            return ReferenceSpec.Default(16, b);
        }
        using var model = AssertMatchesReference(config, new ReferenceSpec
        {
            Hidden = 32, Intermediate = 48, Layers = 2, Heads = 2, KvHeads = 1, HeadDim = 16, Vocab = 300, RmsEps = 1e-6,
            Tied = false, InverseFrequencies = Dynamic,
        }, length: length);
        Assert.Equal(64, model.Config.MaxPositionEmbeddings); // the original 16 positions stretched by the factor
    }
}
