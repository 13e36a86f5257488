using TorchSharp;

namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>The whole next-token distribution at every position of one sequence (for model-vs-model comparisons).</summary>
public static class FullLogits
{
    /// <summary>One forward pass; position t's logits (predicting token t+1) go to <paramref name="onLogits"/> in order.</summary>
    public static void ForEach(LlamaModel model, IReadOnlyList<int> tokens, Action<int, ReadOnlySpan<float>> onLogits)
    {
        if (tokens.Count > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{tokens.Count} tokens exceed the model's context of {model.Config.MaxPositionEmbeddings}");
        float[] all;
        using (var scope = torch.NewDisposeScope())
        {
            var input = torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Count]);
            all = model.Logits(model.Hidden(input)).contiguous().data<float>().ToArray();
        }
        int v = model.Config.VocabSize;
        for (int t = 0; t < tokens.Count; t++) onLogits(t, all.AsSpan(t * v, v));
    }
}
