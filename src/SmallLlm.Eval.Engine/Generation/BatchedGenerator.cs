using System.Diagnostics;
using SmallLlm.Eval.Primitives;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Generation;

/// <summary>
/// Generates for several prompts at once. Decoding is memory-bound (every step reads all weights), so one step for 16
/// rows costs little more than for one. Prompts are right-padded into one prefill; after it every row writes its next
/// token at the same cache slot, at its own RoPE position, and attends to its own prompt slots and generated slots
/// only. A finished row is dropped from the batch. Each row follows exactly <see cref="TokenGenerator"/>'s rules
/// (stop token, stop condition, max tokens, context full) with its own settings and seed.
/// </summary>
public sealed class BatchedGenerator(LlamaModel model, int maxBatch = 16, long cacheBudgetBytes = 1L << 30)
{
    private sealed class RowState(int index, int[] prompt, GenerationSettings settings)
    {
        public int Index { get; } = index;
        public int[] Prompt { get; } = prompt;
        public GenerationSettings Settings { get; } = settings;
        public SeededRandom Rng { get; } = new(settings.Seed);
        public List<int> Output { get; } = [];
        public FinishReason? Finish { get; set; }
    }

    /// <param name="progress">Called with the number of prompts finished so far.</param>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<(IReadOnlyList<int> Prompt, GenerationSettings Settings)> jobs, Action<int>? progress = null)
    {
        var c = model.Config;
        for (int j = 0; j < jobs.Count; j++)
        {
            var prompt = jobs[j].Prompt;
            if (prompt.Count == 0) throw new ArgumentException($"prompt {j} is empty: give at least BOS");
            for (int i = 0; i < prompt.Count; i++)
                if ((uint)prompt[i] >= (uint)c.VocabSize)
                    throw new ArgumentException($"prompt {j}: token id {prompt[i]} at position {i} is outside the vocabulary [0, {c.VocabSize})");
            if (prompt.Count > c.MaxPositionEmbeddings)
                throw new ArgumentException($"prompt {j} of {prompt.Count} tokens exceeds the model's context of {c.MaxPositionEmbeddings}");
        }
        var results = new GenerationResult[jobs.Count];
        long kvPerToken = ModelStatistics.Of(c, model.DType).KvCacheBytesPerToken;
        // Similar lengths together: less padding in the prefill and fewer wasted cache slots.
        var order = Enumerable.Range(0, jobs.Count).OrderBy(j => jobs[j].Prompt.Count).ToList();
        int done = 0;
        for (int start = 0; start < order.Count;)
        {
            var group = new List<int>();
            int width = 0, longest = 0;
            while (start < order.Count && group.Count < maxBatch)
            {
                var (prompt, settings) = jobs[order[start]];
                int w = Math.Max(width, prompt.Count), n = Math.Max(longest, settings.MaxNewTokens);
                // Per-row masks carry no sliding window: a row that may reach past it decodes alone, the exact way.
                if (c.SlidingWindow is int window && w + n > window)
                {
                    if (group.Count > 0) break;
                    results[order[start]] = new TokenGenerator(model).Generate(prompt, settings);
                    start++;
                    progress?.Invoke(++done);
                    continue;
                }
                if (group.Count > 0 && (group.Count + 1) * (long)(w + n) * kvPerToken > cacheBudgetBytes) break;
                group.Add(order[start++]);
                (width, longest) = (w, n);
            }
            if (group.Count == 0) continue;
            var rows = group.Select(j => new RowState(j, jobs[j].Prompt.ToArray(), jobs[j].Settings)).ToList();
            foreach (var (row, result) in RunGroup(rows, width, longest))
                results[row.Index] = result;
            done += group.Count;
            progress?.Invoke(done);
        }
        return results;
    }

    private IEnumerable<(RowState Row, GenerationResult Result)> RunGroup(List<RowState> rows, int width, int maxNew)
    {
        var c = model.Config;
        // Slots [0, width) hold the prompts (right-padded), slot width + t the t-th fed generated token of every row.
        int capacity = width + Math.Max(0, Math.Min(maxNew, c.MaxPositionEmbeddings) - 1);
        using var cache = new KvCache(c, rows.Count, Math.Max(capacity, width), model.ScalarType);
        var sw = Stopwatch.StartNew();
        var ids = new long[rows.Count * width];
        for (int b = 0; b < rows.Count; b++)
            for (int t = 0; t < rows[b].Prompt.Length; t++) ids[b * width + t] = rows[b].Prompt[t];
        float[][] logits;
        using (var scope = torch.NewDisposeScope())
        {
            var hidden = model.Hidden(torch.tensor(ids, [rows.Count, width]), cache);
            var last = torch.tensor(rows.Select(r => (long)(r.Prompt.Length - 1)).ToArray());
            var picked = hidden.gather(1, last.view(-1, 1, 1).expand(-1, 1, c.HiddenSize)).squeeze(1);
            logits = ToRows(model.Logits(picked));
        }
        double prefill = sw.Elapsed.TotalSeconds;
        sw.Restart();

        var active = rows;
        var finished = new List<RowState>();
        while (true)
        {
            var next = new List<(RowState Row, int Token)>();
            for (int b = 0; b < active.Count; b++)
            {
                var row = active[b];
                int token = Decide(row, logits[b], c.MaxPositionEmbeddings);
                if (row.Finish is null) next.Add((row, token));
                else finished.Add(row);
            }
            if (next.Count == 0) break;
            if (next.Count < active.Count)
            {
                var keep = next.Select(n => (long)active.IndexOf(n.Row)).ToArray();
                cache.KeepRows(keep);
            }
            active = next.Select(n => n.Row).ToList();
            logits = Step(next, cache, width);
        }
        double decode = sw.Elapsed.TotalSeconds;
        foreach (var row in finished)
            yield return (row, new GenerationResult(row.Output.ToArray(), row.Finish!.Value, prefill, decode));
    }

    /// <summary>TokenGenerator's loop body for one row: the next token to feed, or a finish reason set on the row.</summary>
    private static int Decide(RowState row, float[] logits, int maxPositions)
    {
        var s = row.Settings;
        if (row.Output.Count >= s.MaxNewTokens) { row.Finish = FinishReason.MaxTokens; return -1; }
        int next = s.Temperature <= 0 ? ArgMax.Of<float>(logits) : TokenGenerator.Sample(logits, s, row.Rng);
        if (s.StopTokens.Contains(next)) { row.Finish = FinishReason.StopToken; return -1; }
        row.Output.Add(next);
        if (s.ShouldStop?.Invoke(row.Output) == true) { row.Finish = FinishReason.StopCondition; return -1; }
        if (row.Output.Count >= s.MaxNewTokens) { row.Finish = FinishReason.MaxTokens; return -1; }
        // Positions filled once this token is fed would be prompt + output - 1 before it: as TokenGenerator's cache.Length.
        if (row.Prompt.Length + row.Output.Count - 1 >= maxPositions) { row.Finish = FinishReason.ContextFull; return -1; }
        return next;
    }

    /// <summary>Feeds one token per row at slot cache.Length, RoPE position prompt + generated − 1, and returns each row's logits.</summary>
    private float[][] Step(List<(RowState Row, int Token)> next, KvCache cache, int width)
    {
        using var scope = torch.NewDisposeScope();
        int slots = cache.Length + 1, n = next.Count;
        var positions = next.Select(x => (long)(x.Row.Prompt.Length + x.Row.Output.Count - 1)).ToArray();
        var allowed = new bool[n * slots];
        for (int b = 0; b < n; b++)
        {
            for (int j = 0; j < next[b].Row.Prompt.Length; j++) allowed[b * slots + j] = true;
            for (int j = width; j < slots; j++) allowed[b * slots + j] = true;
        }
        var mask = torch.tensor(allowed, [n, 1, 1, slots]);
        var hidden = model.Hidden(torch.tensor(next.Select(x => (long)x.Token).ToArray(), [n, 1]), cache,
            torch.tensor(positions, [n, 1]), mask);
        return ToRows(model.Logits(hidden.squeeze(1)));
    }

    private static float[][] ToRows(Tensor logits)
    {
        long rows = logits.shape[0], vocab = logits.shape[1];
        var flat = logits.contiguous().data<float>().ToArray();
        var result = new float[rows][];
        for (int r = 0; r < rows; r++) result[r] = flat.AsSpan((int)(r * vocab), (int)vocab).ToArray();
        return result;
    }
}
