using System.Text.Json.Serialization;

namespace SmallLlm.Eval.Tasks;

/// <summary>
/// What a task kind says about one of its metrics, written into the results (schema 2) so that reports and the gate
/// never guess from the name: its direction, how it is aggregated over documents, whether it is a proportion in [0, 1]
/// (chance levels, averages, McNemar), the per-sample field behind it, and whether it is the task's headline.
/// </summary>
/// <param name="SampleField">
/// The per-sample record field that backs the metric: a boolean for proportions (McNemar's test pairs them), or the
/// unit count ("bytes", "words", "tokens") that a corpus log-likelihood metric divides "loglikelihood" by (paired
/// bootstrap); null when the samples cannot recompute it.
/// </param>
public sealed record MetricDeclaration(
    [property: JsonPropertyName("higher_is_better")] bool HigherIsBetter,
    [property: JsonPropertyName("aggregation")] string Aggregation,
    [property: JsonPropertyName("proportion")] bool IsProportion,
    [property: JsonPropertyName("sample_field")] string? SampleField,
    [property: JsonPropertyName("headline")] bool Headline = false)
{
    /// <summary>A mean of per-document booleans (acc, exact match): higher is better.</summary>
    public static MetricDeclaration Accuracy(string sampleField) => new(true, "mean", true, sampleField);

    /// <summary>A corpus figure from Σ log-likelihood / Σ units (perplexities, bits per byte): lower is better.</summary>
    public static MetricDeclaration PerUnit(string? unitField) => new(false, "corpus_loglikelihood_per_unit", false, unitField);
}

/// <summary>Declarations of every metric a plan reports, checked against what it reports.</summary>
public static class MetricDeclarations
{
    /// <summary>
    /// The declarations of <paramref name="metrics"/>. The headline is the first metric the task file's "metrics"
    /// lists, else the first of <paramref name="declared"/> (in the kind's order of preference) that was computed.
    /// A computed metric without a declaration, or a listed metric the kind does not compute, is an error.
    /// </summary>
    public static IReadOnlyDictionary<string, MetricDeclaration> For(string task, IReadOnlyDictionary<string, MetricValue> metrics,
        IReadOnlyList<(string Name, MetricDeclaration Declaration)> declared, IReadOnlyList<string>? listedInTaskFile = null)
    {
        var byName = declared.ToDictionary(d => d.Name, d => d.Declaration);
        var unknown = (listedInTaskFile ?? []).Where(m => !byName.ContainsKey(m)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{task}: the task file lists metric(s) {string.Join(", ", unknown)}, which its kind does not compute; it computes {string.Join(", ", byName.Keys)}");
        string? headline = (listedInTaskFile ?? []).Concat(declared.Select(d => d.Name)).FirstOrDefault(metrics.ContainsKey);
        var result = new SortedDictionary<string, MetricDeclaration>(StringComparer.Ordinal);
        foreach (var name in metrics.Keys)
            result[name] = byName.TryGetValue(name, out var d) ? d with { Headline = name == headline }
                : throw new InvalidOperationException($"{task}: metric '{name}' has no declaration (direction, aggregation, sample field): its task kind must declare it");
        return result;
    }
}
