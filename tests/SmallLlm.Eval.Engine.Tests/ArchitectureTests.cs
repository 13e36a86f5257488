using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Grouped-query attention, tied/untied heads and the cache paths, checked by equivalences that must hold exactly.</summary>
public class ArchitectureTests
{
    private static readonly int[] Tokens = [1, 5, 9, 3, 40, 22, 7, 7, 63, 0, 12];

    [Fact]
    public void Grouped_query_attention_equals_multi_head_with_repeated_key_value_heads()
    {
        var gqa = TestModels.Tiny(heads: 4, kvHeads: 2);
        var mha = gqa with { NumKeyValueHeads = 4 };
        using var gqaWeights = RandomWeights.Create(gqa, ModelDType.Float32, 3);
        var mhaTensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in gqaWeights.Tensors)
        {
            bool kv = name.EndsWith("k_proj.weight") || name.EndsWith("v_proj.weight");
            // Each KV head serves heads/kv consecutive query heads, so its rows repeat head by head.
            mhaTensors[name] = kv ? t.view(2, gqa.HeadDim, gqa.HiddenSize).repeat_interleave(2, 0).reshape(4 * gqa.HeadDim, gqa.HiddenSize).contiguous()
                                  : t.clone();
        }
        using var a = new LlamaModel(RandomWeights.Create(gqa, ModelDType.Float32, 3));
        using var b = new LlamaModel(new LlamaWeights(mha, ModelDType.Float32, mhaTensors));
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(a, Tokens), TestModels.FullLogits(b, Tokens)) < 1e-5);
    }

    [Fact]
    public void Hidden_states_have_batch_time_hidden_shape()
    {
        using var model = TestModels.Random(TestModels.Tiny(heads: 8, kvHeads: 2));
        using var tokens = torch.zeros([3, 5], dtype: ScalarType.Int64);
        using var hidden = model.Hidden(tokens);
        Assert.Equal(new long[] { 3, 5, 32 }, hidden.shape);
        using var logits = model.Logits(hidden);
        Assert.Equal(new long[] { 3, 5, 64 }, logits.shape);
    }

    [Fact]
    public void Untied_head_equal_to_embedding_matches_tied_model_and_a_different_head_does_not()
    {
        var tied = TestModels.Tiny(tied: true);
        var untied = tied with { TieWordEmbeddings = false };
        using var tiedModel = TestModels.Random(tied, seed: 11);

        using var w = RandomWeights.Create(tied, ModelDType.Float32, 11);
        var same = w.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        same["lm_head.weight"] = w["model.embed_tokens.weight"].clone();
        using var sameModel = new LlamaModel(new LlamaWeights(untied, ModelDType.Float32, same));
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(tiedModel, Tokens), TestModels.FullLogits(sameModel, Tokens)) < 1e-6);

        var other = w.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        other["lm_head.weight"] = torch.randn(64, 32) * 0.02;
        using var otherModel = new LlamaModel(new LlamaWeights(untied, ModelDType.Float32, other));
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(tiedModel, Tokens), TestModels.FullLogits(otherModel, Tokens)) > 1e-3);
    }

    [Fact]
    public void Batched_padded_and_shared_context_scoring_equal_one_by_one_scoring()
    {
        using var model = TestModels.Random(TestModels.Tiny());
        var requests = new List<ContinuationRequest>
        {
            new([1, 5, 9], [3]), new([1, 5, 9], [4]), new([1, 5, 9], [5]),                  // shared context, single tokens
            new([1, 2], [3, 4, 5]), new([1, 2], [6, 7]), new([1, 2], [8]),                  // shared context, several tokens
            new([1, 40, 41, 42, 43, 44], [45, 46]), new([1], [2]), new([1, 9, 9], [9, 9, 9]), // independent, different lengths
        };
        var batched = new TokenScorer(model, new ScoringOptions { MaxBatchRows = 4, MaxBatchTokens = 12 }).Loglikelihood(requests);
        var plain = new TokenScorer(model, new ScoringOptions { MaxBatchRows = 1 });
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            // Reference: the whole sequence through one plain forward pass, log-softmax by hand in double.
            int[] seq = [.. r.Context, .. r.Continuation];
            var logits = TestModels.FullLogits(model, seq);
            double expected = 0;
            bool greedy = true;
            for (int j = 0; j < r.Continuation.Length; j++)
            {
                int pos = r.Context.Length - 1 + j;
                double max = double.NegativeInfinity, sum = 0;
                int arg = 0;
                for (int v = 0; v < 64; v++) if (logits[pos, v] > max) { max = logits[pos, v]; arg = v; }
                for (int v = 0; v < 64; v++) sum += Math.Exp(logits[pos, v] - max);
                expected += logits[pos, r.Continuation[j]] - max - Math.Log(sum);
                greedy &= arg == r.Continuation[j];
            }
            Assert.Equal(expected, batched[i].LogProb, 1e-4);
            Assert.Equal(greedy, batched[i].IsGreedy);
            Assert.Equal(expected, plain.Loglikelihood([r])[0].LogProb, 1e-4);
        }
    }

    [Fact]
    public void Rolling_windows_predict_every_token_once_within_the_context()
    {
        var tokens = Enumerable.Range(10, 50).ToArray();
        foreach (int? stride in new int?[] { null, 3, 8 })
        {
            var windows = RollingWindows.Build(tokens, 1, 8, stride);
            var predicted = windows.SelectMany(w => w.Continuation).ToArray();
            Assert.Equal(tokens, predicted);
            foreach (var w in windows)
            {
                Assert.True(w.Context.Length + w.Continuation.Length - 1 <= 8);
                Assert.True(w.Context.Length + w.Continuation.Length - 1 == 8 || w == windows[0],
                    "every window after the first uses the whole context");
            }
        }
        Assert.Equal(new[] { 1 }, RollingWindows.Build(tokens, 1, 8)[0].Context);
    }

    [Fact]
    public void Rolling_loglikelihood_of_short_document_equals_plain_scoring_and_long_documents_work()
    {
        using var model = TestModels.Random(TestModels.Tiny(context: 16));
        var scorer = new TokenScorer(model);
        int[] shortDoc = [5, 6, 7, 8, 9];
        var rolled = scorer.LoglikelihoodRolling([shortDoc], 1)[0];
        var plain = scorer.Loglikelihood([new ContinuationRequest([1], shortDoc)])[0];
        Assert.Equal(plain.LogProb, rolled.Sum(x => (double)x), 1e-4);

        int[] longDoc = Enumerable.Range(0, 100).Select(i => (i * 7) % 64).ToArray();
        var perToken = scorer.LoglikelihoodRolling([longDoc], 1, stride: 4)[0];
        Assert.Equal(100, perToken.Length);
        Assert.All(perToken, lp => Assert.True(lp < 0 && float.IsFinite(lp)));
        // With stride 4 the window scoring tokens 20..23 is tokens 7..22 (16 inputs): token 20 sees the 13 tokens before it.
        var direct = scorer.Loglikelihood([new ContinuationRequest([.. longDoc[7..20]], [longDoc[20]])])[0];
        Assert.Equal(direct.LogProb, perToken[20], 1e-4);
    }
}
