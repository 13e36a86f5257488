using SmallLlm.Eval.Engine.Checkpoints;
using TorchSharp;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Shared ways to run a model in tests.</summary>
public static class TestModels
{
    /// <summary>Float32 logits [T, vocab] for one sequence, by a plain forward pass (no cache, no batching).</summary>
    public static float[,] FullLogits(LlamaModel model, int[] tokens)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = model.Hidden(torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length]));
        var logits = model.Logits(hidden).squeeze(0).contiguous();
        var flat = logits.data<float>().ToArray();
        int v = model.Config.VocabSize;
        var result = new float[tokens.Length, v];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * 4);
        return result;
    }

    public static double MaxAbsDiff(float[,] a, float[,] b)
    {
        Assert.Equal(a.GetLength(0), b.GetLength(0));
        Assert.Equal(a.GetLength(1), b.GetLength(1));
        double max = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) max = Math.Max(max, Math.Abs(a[i, j] - b[i, j]));
        return max;
    }

    public static LlamaConfig Tiny(int heads = 4, int kvHeads = 2, bool tied = true, int context = 32) => new LlamaConfig
    {
        HiddenSize = 32,
        IntermediateSize = 48,
        NumLayers = 2,
        NumHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = 32 / heads,
        VocabSize = 64,
        MaxPositionEmbeddings = context,
        TieWordEmbeddings = tied,
    }.Validated("test");

    public static LlamaModel Random(LlamaConfig config, long seed = 7, ModelDType dtype = ModelDType.Float32) =>
        new(RandomWeights.Create(config, dtype, seed));

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
