using System.Diagnostics;
using SmallLlm.Eval.Primitives;
using TorchSharp;

namespace SmallLlm.Eval.Engine.Generation;

/// <summary>Autoregressive generation with a KV cache: one pass over the prompt, then one position per new token.</summary>
public sealed class TokenGenerator(LlamaModel model)
{
    public GenerationResult Generate(IReadOnlyList<int> prompt, GenerationSettings settings)
    {
        var c = model.Config;
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty: give at least BOS");
        for (int i = 0; i < prompt.Count; i++)
            if ((uint)prompt[i] >= (uint)c.VocabSize)
                throw new ArgumentException($"prompt token id {prompt[i]} at position {i} is outside the vocabulary [0, {c.VocabSize})");
        if (prompt.Count > c.MaxPositionEmbeddings)
            throw new ArgumentException($"prompt of {prompt.Count} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");

        var rng = new SeededRandom(settings.Seed);
        var output = new List<int>();
        int capacity = Math.Min(c.MaxPositionEmbeddings, prompt.Count + settings.MaxNewTokens);
        using var cache = new KvCache(c, 1, capacity, model.ScalarType);
        var sw = Stopwatch.StartNew();
        float[] logits = Step(prompt.Select(t => (long)t).ToArray(), cache);
        double prefill = sw.Elapsed.TotalSeconds;
        sw.Restart();
        FinishReason finish = FinishReason.MaxTokens;
        while (true)
        {
            if (output.Count >= settings.MaxNewTokens) { finish = FinishReason.MaxTokens; break; }
            int next = settings.Temperature <= 0 ? ArgMax.Of<float>(logits) : Sample(logits, settings, rng);
            if (settings.StopTokens.Contains(next)) { finish = FinishReason.StopToken; break; }
            output.Add(next);
            if (settings.ShouldStop?.Invoke(output) == true) { finish = FinishReason.StopCondition; break; }
            if (output.Count >= settings.MaxNewTokens) { finish = FinishReason.MaxTokens; break; }
            if (cache.Length >= c.MaxPositionEmbeddings) { finish = FinishReason.ContextFull; break; }
            logits = Step([next], cache);
        }
        return new GenerationResult(output.ToArray(), finish, prefill, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Feeds tokens through the model and returns the last position's logits.</summary>
    private float[] Step(long[] tokens, KvCache cache)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = model.Hidden(torch.tensor(tokens, [1, tokens.Length]), cache);
        var last = hidden.select(1, tokens.Length - 1);
        return model.Logits(last).squeeze(0).data<float>().ToArray();
    }

    public static int Sample(float[] logits, GenerationSettings s, SeededRandom rng)
    {
        double max = logits.Max();
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = Math.Exp((logits[i] - max) / s.Temperature);
        var order = Enumerable.Range(0, p.Length).ToArray();
        int keep = p.Length;
        if (s.TopP < 1.0)
        {
            Array.Sort(order, (a, b) => p[b].CompareTo(p[a]) is var cmp && cmp != 0 ? cmp : a.CompareTo(b));
            double cumulative = 0;
            for (keep = 0; keep < order.Length;)
            {
                cumulative += p[order[keep++]] / sum;
                if (cumulative >= s.TopP) break;
            }
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[order[i]];
        }
        double r = rng.NextDouble() * sum, acc = 0;
        for (int i = 0; i < keep; i++)
        {
            acc += p[order[i]];
            if (r < acc) return order[i];
        }
        return order[keep - 1];
    }
}
