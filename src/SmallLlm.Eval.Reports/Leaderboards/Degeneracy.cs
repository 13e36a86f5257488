using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// Values no working model produces: NaN or infinite, or a token perplexity above the vocabulary size (worse than
/// guessing uniformly among all tokens). Such a cell is shown with a warning and ranks last in its column.
/// </summary>
public static class Degeneracy
{
    public static string? Of(ResultFile file, string metric, ResultMetric value)
    {
        if (double.IsNaN(value.Value) || double.IsInfinity(value.Value))
            return $"{metric} is {ReportNumbers.Format(value.Value)} (a numerical failure, not a score)";
        // Any headline of a run whose per-token perplexity is beyond uniform guessing is degenerate too. Only
        // token_perplexity: LAMBADA's "perplexity" is per target word (several tokens), which may exceed the vocabulary.
        if (file.VocabSize is int vocab && vocab > 0 && file.Metrics.TryGetValue("token_perplexity", out var ppl) && ppl.Value > vocab)
            return $"token perplexity {ReportNumbers.Format(ppl.Value)} > vocabulary size {vocab:N0}: worse than uniform guessing (broken weights?)";
        return null;
    }
}
