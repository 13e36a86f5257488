using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Tests.Training;

/// <summary>The training forward pass and its gradients against independent references: finite differences, ln(vocab), the inference engine.</summary>
public class TrainingExactnessTests
{
    /// <summary>Two layers, GQA (4 query heads, 2 KV heads), untied head with biases on q/k/v: every kind of parameter.</summary>
    private static readonly LlamaConfig Tiny = new LlamaConfig
    {
        HiddenSize = 8, IntermediateSize = 12, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2, HeadDim = 2,
        VocabSize = 11, MaxPositionEmbeddings = 8, QkvBias = true,
    }.Validated("test");

    private static TrainableLlama TinyModel(ScalarType dtype)
    {
        var tensors = TrainingInitialization.Create(Tiny, seed: 7, dtype);
        // Nonzero biases and norm scales, and a larger spread, so their gradients are not a special case.
        using var g = new Generator(11);
        foreach (var name in tensors.Keys.ToList())
            if (tensors[name].dim() == 1) tensors[name].add_(torch.randn(tensors[name].shape, dtype: dtype, generator: g).mul_(0.3));
            else tensors[name].mul_(15);
        return new TrainableLlama(Tiny, tensors);
    }

    private static readonly long[,] Rows = { { 1, 5, 9, 2, 7, 3, 10, 4 }, { 0, 6, 6, 8, 1, 2, 5, 9 } };

    [Fact]
    public void Autograd_gradients_equal_central_finite_differences_in_fp64()
    {
        using var model = TinyModel(ScalarType.Float64);
        using var rows = torch.tensor(Rows);
        using (var loss = model.Loss(rows)) loss.backward();
        const double h = 1e-6;
        int checkedCount = 0;
        foreach (var (name, p) in model.Parameters)
        {
            using var flat = p.detach().view(-1);
            using var grad = p.grad!.view(-1);
            long n = flat.shape[0];
            foreach (long i in new[] { 0, n / 2, n - 1 }.Distinct())
            {
                double original = flat[i].item<double>();
                double Loss(double value)
                {
                    using (torch.no_grad()) flat[i] = value;
                    using var l = model.Loss(rows);
                    return l.item<double>();
                }
                double numeric = (Loss(original + h) - Loss(original - h)) / (2 * h);
                Loss(original);
                double analytic = grad[i].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-7 + 1e-5 * Math.Abs(numeric),
                    $"{name}[{i}]: autograd {analytic:G10}, finite difference {numeric:G10}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 40, $"only {checkedCount} coordinates checked");
    }

    [Fact]
    public void A_model_whose_logits_are_all_equal_has_loss_ln_vocab()
    {
        // A zero embedding makes every hidden state zero, so the (tied) head gives equal logits for all 512 ids.
        var config = TrainingShapes.Get("stories260K", 512, 1, 2);
        var tensors = TrainingInitialization.Create(config, seed: 1);
        tensors["model.embed_tokens.weight"].zero_();
        using var model = new TrainableLlama(config, tensors);
        using var rows = torch.tensor(Rows);
        using var loss = model.Loss(rows);
        Assert.Equal(Math.Log(512), loss.item<float>(), 5);
    }

    [Fact]
    public void A_freshly_initialized_model_starts_near_ln_vocab()
    {
        var config = TrainingShapes.Get("stories260K", 512, 1, 2);
        using var model = new TrainableLlama(config, TrainingInitialization.Create(config, seed: 1));
        using var rows = torch.tensor(Rows);
        using var loss = model.Loss(rows);
        Assert.InRange(loss.item<float>(), Math.Log(512) - 0.05, Math.Log(512) + 0.05);
    }

    [Fact]
    public void The_training_forward_pass_gives_the_inference_engines_logits_for_stories260K()
    {
        using var engine = new LlamaModel(CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var weights = CheckpointLoader.Load("stories260K", ModelDType.Float32);
        var tensors = weights.Tensors.Keys.ToList().ToDictionary(n => n, weights.Take);
        using var trainable = new TrainableLlama(weights.Config, tensors);
        using var tokens = torch.tensor(new long[,] { { 1, 403, 407, 261, 378, 383, 286, 261, 376, 268 } });
        using var hidden = engine.Hidden(tokens);
        using var expected = engine.Logits(hidden);
        using var actual = trainable.Logits(tokens);
        double maxDiff = (expected - actual).abs().max().item<float>();
        Assert.True(maxDiff < 1e-4, $"largest logit difference {maxDiff}");
    }

    [Fact]
    public void Initialization_is_fixed_by_the_seed_and_scales_the_residual_projections()
    {
        var config = TrainingShapes.Get("stories15M", 512, 1, 2);
        var a = TrainingInitialization.Create(config, seed: 3);
        var b = TrainingInitialization.Create(config, seed: 3);
        foreach (var name in a.Keys) Assert.True(a[name].eq(b[name]).all().item<bool>(), name);
        double Std(string name) => a[name].std().item<float>();
        Assert.Equal(0.02, Std("model.layers.0.self_attn.q_proj.weight"), 3);
        Assert.Equal(0.02 / Math.Sqrt(2 * 6), Std("model.layers.0.mlp.down_proj.weight"), 3);
        Assert.Equal(0.02 / Math.Sqrt(2 * 6), Std("model.layers.5.self_attn.o_proj.weight"), 3);
        Assert.True(a["model.norm.weight"].eq(1).all().item<bool>());
    }
}
