namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// Which way a metric is better, which one is a task's headline, and which per-sample field backs it: what the task
/// declared (results schema 2), or, for schema-1 files that declare nothing, inferred from the metric's name.
/// </summary>
public static class MetricKinds
{
    /// <summary>
    /// Relative differences below this are float noise, not measurements (engines, machines and BLAS libraries differ
    /// by ~1e-7): the gate's tolerance floor and the leaderboard's tie.
    /// </summary>
    public const double NoiseFloor = 1e-4;

    public static bool LowerIsBetter(string metric, ResultMetric? m = null) =>
        m?.Declared is { } d ? !d.HigherIsBetter : InferredLowerIsBetter(metric);

    /// <summary>Schema 1: perplexity-type metrics (perplexity, word_perplexity, bits_per_byte, nll...) are lower-is-better.</summary>
    private static bool InferredLowerIsBetter(string metric) =>
        metric.Contains("perplexity", StringComparison.OrdinalIgnoreCase)
        || metric.Contains("bits_per_byte", StringComparison.OrdinalIgnoreCase)
        || metric.Contains("nll", StringComparison.OrdinalIgnoreCase);

    /// <summary>Proportions in [0, 1] where chance and averages make sense: acc, acc_norm, pass@k, exact_match.</summary>
    public static bool IsProportion(string metric, ResultMetric? m = null) =>
        m?.Declared is { } d ? d.IsProportion
        : metric.StartsWith("acc", StringComparison.Ordinal) || metric.StartsWith("pass@", StringComparison.Ordinal)
          || metric.StartsWith("exact_match", StringComparison.Ordinal);

    /// <summary>The metric a leaderboard shows for a task: the declared headline; schema 1: acc, else pass@1, else a perplexity, else the first by name.</summary>
    public static string Headline(IReadOnlyDictionary<string, ResultMetric> metrics)
    {
        foreach (var (name, m) in metrics) if (m.Declared is { Headline: true }) return name;
        foreach (string preferred in new[] { "acc", "pass@1", "exact_match", "word_perplexity", "perplexity", "bits_per_byte" })
            if (metrics.ContainsKey(preferred)) return preferred;
        return metrics.Keys.Order(StringComparer.Ordinal).First();
    }

    /// <summary>The per-sample boolean behind a proportion (acc → correct): the declared one; schema 1: by name; null for others.</summary>
    public static string? CorrectnessField(string metric, ResultMetric? m = null) =>
        m?.Declared is { } d ? (d.IsProportion ? d.SampleField : null)
        : metric == "acc" ? "correct"
        : metric.StartsWith("acc_", StringComparison.Ordinal) ? "correct_" + metric[4..]
        : null;

    /// <summary>The per-document unit a perplexity-type metric is normalised by (bits per byte → bytes, word perplexity → words).</summary>
    public static string[] UnitFieldsFor(string metric, ResultMetric? m = null) =>
        m?.Declared is { IsProportion: false, SampleField: { } field } ? [field]
        : metric.Contains("byte", StringComparison.OrdinalIgnoreCase) ? ["bytes", "byte_count", "num_bytes"]
        : metric.Contains("word", StringComparison.OrdinalIgnoreCase) ? ["words", "word_count", "num_words"]
        : metric.Contains("char", StringComparison.OrdinalIgnoreCase) ? ["characters"]
        : ["tokens", "token_count", "num_tokens", "units"];
}
