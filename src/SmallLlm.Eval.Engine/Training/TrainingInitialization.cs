using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// Seeded initialization as GPT-2 / nanoGPT: every matrix N(0, 0.02²), the residual projections (o_proj, down_proj)
/// N(0, (0.02/√(2·layers))²), biases zero, norm scales one. Drawn in <see cref="LlamaWeights.ExpectedTensors"/> order
/// from one generator, so a seed fixes the weights.
/// </summary>
public static class TrainingInitialization
{
    public const double Std = 0.02;

    public static string Describe(LlamaConfig c, long seed) =>
        $"seed {seed}: normal(0, 0.02) matrices, o_proj/down_proj normal(0, 0.02/sqrt(2*{c.NumLayers})), zero biases, unit norms (nanoGPT)";

    public static Dictionary<string, Tensor> Create(LlamaConfig config, long seed, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator((ulong)seed);
        double residualStd = Std / Math.Sqrt(2.0 * config.NumLayers);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in LlamaWeights.ExpectedTensors(config))
        {
            tensors[name] = shape.Length < 2
                ? (LlamaWeights.IsNormWeight(name) ? torch.ones(shape, dtype: dtype) : torch.zeros(shape, dtype: dtype))
                : torch.randn(shape, dtype: dtype, generator: generator).mul_(IsResidualProjection(name) ? residualStd : Std);
        }
        return tensors;
    }

    /// <summary>The projections that write into the residual stream (GPT-2's c_proj): attention output and MLP down.</summary>
    public static bool IsResidualProjection(string name) =>
        name.EndsWith("self_attn.o_proj.weight", StringComparison.Ordinal) || name.EndsWith("mlp.down_proj.weight", StringComparison.Ordinal);
}
