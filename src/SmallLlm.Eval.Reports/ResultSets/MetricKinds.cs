namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>Which way a metric is better, which one is a task's headline, and which per-sample field backs it.</summary>
public static class MetricKinds
{
    /// <summary>
    /// Which way a metric is better: the results file's declaration when it has one (<c>higher_is_better</c>), else
    /// inferred from the name (<see cref="LowerIsBetter(string)"/>). Every ranking and plot asks this one function.
    /// </summary>
    public static bool LowerIsBetter(string metric, ResultMetric? declared) =>
        declared?.HigherIsBetter is bool higher ? !higher : LowerIsBetter(metric);

    /// <summary>Perplexity-type metrics (perplexity, word_perplexity, bits_per_byte, nll...): lower is better.</summary>
    public static bool LowerIsBetter(string metric) =>
        metric.Contains("perplexity", StringComparison.OrdinalIgnoreCase)
        || metric.Contains("bits_per_byte", StringComparison.OrdinalIgnoreCase)
        || metric.Contains("nll", StringComparison.OrdinalIgnoreCase);

    /// <summary>Proportions in [0, 1] where chance and averages make sense: acc, acc_norm, pass@k, exact_match.</summary>
    public static bool IsProportion(string metric) =>
        metric.StartsWith("acc", StringComparison.Ordinal) || metric.StartsWith("pass@", StringComparison.Ordinal)
        || metric.StartsWith("exact_match", StringComparison.Ordinal);

    /// <summary>The metric a leaderboard shows for a task: acc, else pass@1, else a perplexity, else the first by name.</summary>
    public static string Headline(IReadOnlyDictionary<string, ResultMetric> metrics)
    {
        foreach (string preferred in new[] { "acc", "pass@1", "exact_match", "word_perplexity", "perplexity", "bits_per_byte" })
            if (metrics.ContainsKey(preferred)) return preferred;
        return metrics.Keys.Order(StringComparer.Ordinal).First();
    }

    /// <summary>The per-sample boolean behind an accuracy metric: acc → correct, acc_norm → correct_norm; null for others.</summary>
    public static string? CorrectnessField(string metric) =>
        metric == "acc" ? "correct"
        : metric.StartsWith("acc_", StringComparison.Ordinal) ? "correct_" + metric[4..]
        : null;

    /// <summary>The per-document unit a perplexity-type metric is normalised by (bits per byte → bytes, word perplexity → words).</summary>
    public static string[] UnitFieldsFor(string metric) =>
        metric.Contains("byte", StringComparison.OrdinalIgnoreCase) ? ["bytes", "byte_count", "num_bytes"]
        : metric.Contains("word", StringComparison.OrdinalIgnoreCase) ? ["words", "word_count", "num_words"]
        : metric.Contains("char", StringComparison.OrdinalIgnoreCase) ? ["characters"]
        : ["tokens", "token_count", "num_tokens", "units"];
}
