using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>Weights and biases drawn from N(0, 0.02²) with unit norms: a model of a given shape for benchmarks and tests.</summary>
public static class RandomWeights
{
    public static LlamaWeights Create(LlamaConfig config, ModelDType dtype, long seed = 1234)
    {
        using var generator = new Generator((ulong)seed);
        var target = dtype.ToScalarType();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in LlamaWeights.ExpectedTensors(config))
        {
            // Drawn directly in the target dtype: no transient float32 copy of a large embedding.
            tensors[name] = LlamaWeights.IsNormWeight(name)
                ? torch.ones(shape, dtype: target)
                : torch.randn(shape, dtype: target, generator: generator).mul_(0.02);
        }
        return new LlamaWeights(config, dtype, tensors);
    }

    /// <summary>The stories15M and stories110M shapes (llama2.c's tinyllamas) used by the benchmark.</summary>
    public static LlamaConfig Stories(int dim, int layers, int heads, int vocab = 32000, int context = 1024) => new LlamaConfig
    {
        HiddenSize = dim,
        IntermediateSize = LlamaHiddenDim(dim),
        NumLayers = layers,
        NumHeads = heads,
        NumKeyValueHeads = heads,
        HeadDim = dim / heads,
        VocabSize = vocab,
        MaxPositionEmbeddings = context,
        TieWordEmbeddings = true,
    }.Validated("random");

    /// <summary>
    /// The Llama-3.2-1B shape (its config.json): vocab 128,256, hidden 2,048, 16 layers, 32 heads of 64, 8 KV heads,
    /// MLP 8,192, tied, theta 500,000, llama3 rope scaling x32 from 8,192, 131,072 positions.
    /// </summary>
    public static LlamaConfig Llama32_1B() => new LlamaConfig
    {
        HiddenSize = 2048,
        IntermediateSize = 8192,
        NumLayers = 16,
        NumHeads = 32,
        NumKeyValueHeads = 8,
        HeadDim = 64,
        VocabSize = 128_256,
        MaxPositionEmbeddings = 131_072,
        RmsNormEps = 1e-5,
        RopeTheta = 500_000,
        RopeScaling = new Llama3RopeScaling(32, 1, 4, 8192),
        TieWordEmbeddings = true,
        BosTokenId = 128_000,
        EosTokenId = 128_001,
    }.Validated("random");

    /// <summary>llama2.c model.py: hidden = 2/3 · 4 · dim rounded up to a multiple of 32 (768 for dim 288, 2048 for dim 768).</summary>
    public static int LlamaHiddenDim(int dim, int multipleOf = 32)
    {
        int hidden = 2 * (4 * dim) / 3;
        return multipleOf * ((hidden + multipleOf - 1) / multipleOf);
    }
}
