namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>One metric of a results file: value, standard error (when the task gives one) and the number of documents.</summary>
public sealed record ResultMetric(double Value, double? Stderr, int N)
{
    /// <summary>What the task declared about the metric (schema 2); null in schema-1 files, where it is inferred from the name.</summary>
    public DeclaredMetric? Declared { get; init; }
}

/// <summary>A task's declaration of a metric (results schema 2, "metric_declarations").</summary>
/// <param name="SampleField">Per-sample boolean behind a proportion, or the unit count behind a corpus log-likelihood metric.</param>
public sealed record DeclaredMetric(bool HigherIsBetter, string Aggregation, bool IsProportion, string? SampleField, bool Headline);
