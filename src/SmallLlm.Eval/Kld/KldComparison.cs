using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Kld;

/// <summary>The result of `smalleval kld`: overall, per document, and every position's KLD (for the histogram).</summary>
public sealed record KldReport(KldSummary Overall, IReadOnlyList<KldSummary> Documents, IReadOnlyList<double> Values);

/// <summary>
/// Compares a model's next-token distributions with a base model's on the same tokens, streaming: one window of one
/// document at a time, both models' logits consumed position by position and dropped (memory is bounded by one
/// window's logits, whatever the corpus size). Windows are the perplexity task's: disjoint windows of the shorter
/// context, the first one after the prefix token.
/// </summary>
public static class KldComparison
{
    public static KldReport Run(ITokenDistributions baseModel, ITokenDistributions model, IReadOnlyList<(string Name, string Text)> documents,
        int? maxWindows = null, Action<int, int>? progress = null)
    {
        if (baseModel.VocabSize != model.VocabSize)
            throw new ArgumentException($"the models have different vocabularies ({baseModel.Name}: {baseModel.VocabSize:N0} tokens, {model.Name}: {model.VocabSize:N0}): KL divergence needs the same tokenizer");
        if (baseModel.PrefixToken != model.PrefixToken)
            throw new ArgumentException($"the models start documents with different tokens ({baseModel.Name}: {baseModel.PrefixToken}, {model.Name}: {model.PrefixToken}): not the same tokenizer");
        int context = Math.Min(baseModel.ContextLength, model.ContextLength);
        var overall = new KldStatistics();
        var perDoc = new List<KldSummary>();
        int windows = 0;
        for (int d = 0; d < documents.Count && (maxWindows is null || windows < maxWindows); d++)
        {
            var (name, text) = documents[d];
            int[] ids = baseModel.Tokenize(text);
            int[] other = model.Tokenize(text);
            if (!ids.AsSpan().SequenceEqual(other))
            {
                int at = 0;
                while (at < Math.Min(ids.Length, other.Length) && ids[at] == other[at]) at++;
                throw new ArgumentException($"the models tokenize {name} differently (first difference at token {at}: {baseModel.Name} {Describe(ids, at)} vs {model.Name} {Describe(other, at)}): KL divergence needs the same tokenizer");
            }
            if (ids.Length == 0) continue;
            var doc = new KldStatistics();
            foreach (var w in RollingWindows.Build(ids, baseModel.PrefixToken, context))
            {
                if (maxWindows is not null && windows >= maxWindows) break;
                int[] input = [.. w.Context, .. w.Continuation[..^1]];
                int first = w.Context.Length - 1;
                // The base's logits of this window are held (one window), the model's compared as they come.
                var baseLogits = new float[w.Continuation.Length][];
                baseModel.ForEachLogits(input, (t, logits) => { if (t >= first) baseLogits[t - first] = logits.ToArray(); });
                model.ForEachLogits(input, (t, logits) =>
                {
                    if (t < first) return;
                    int k = t - first;
                    doc.Add(baseLogits[k], logits, w.Continuation[k]);
                    overall.Add(baseLogits[k], logits, w.Continuation[k]);
                });
                windows++;
                progress?.Invoke(windows, maxWindows ?? 0);
            }
            if (doc.Tokens > 0) perDoc.Add(doc.Summary(name));
        }
        return new KldReport(overall.Summary("overall"), perDoc, overall.Values);
    }

    private static string Describe(int[] ids, int at) => at < ids.Length ? $"id {ids[at]}" : "end of text";
}
