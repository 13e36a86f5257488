namespace SmallLlm.Eval.Metrics;

using SmallLlm.Eval.Tasks;

/// <summary>Means with standard errors, as lm-evaluation-harness reports them.</summary>
public static class MeanMetric
{
    /// <summary>The mean and its standard error: sample standard deviation (n-1) / sqrt(n) (lm-eval's mean_stderr).</summary>
    public static MetricValue Of(IReadOnlyCollection<double> values)
    {
        int n = values.Count;
        if (n == 0) return new MetricValue(double.NaN, null, 0);
        double mean = values.Average();
        if (n < 2) return new MetricValue(mean, null, n);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        return new MetricValue(mean, Math.Sqrt(variance / n), n);
    }

    public static MetricValue Of(IEnumerable<bool> correct) => Of(correct.Select(c => c ? 1.0 : 0.0).ToList());

    /// <summary>Unweighted mean of group means; its stderr treats groups as independent: sqrt(Σ se²) / k.</summary>
    public static MetricValue MacroAverage(IReadOnlyCollection<MetricValue> groups)
    {
        var valid = groups.Where(g => g.N > 0).ToList();
        if (valid.Count == 0) return new MetricValue(double.NaN, null, 0);
        double mean = valid.Average(g => g.Value);
        double? se = valid.All(g => g.Stderr is not null) ? Math.Sqrt(valid.Sum(g => g.Stderr!.Value * g.Stderr.Value)) / valid.Count : null;
        return new MetricValue(mean, se, valid.Sum(g => g.N));
    }

    /// <summary>
    /// A size-weighted group mean with lm-evaluation-harness's group stderr (<c>pooled_sample_stderr</c> in
    /// lm_eval/api/metrics.py): pooled variance Σ (nᵢ−1)·nᵢ·seᵢ² / (Σ nᵢ − k), stderr = sqrt(pooled / Σ nᵢ). Null when a
    /// group has no stderr (lm-eval's "N/A").
    /// </summary>
    public static MetricValue Pooled(IReadOnlyCollection<MetricValue> groups)
    {
        var valid = groups.Where(g => g.N > 0).ToList();
        if (valid.Count == 0) return new MetricValue(double.NaN, null, 0);
        long total = valid.Sum(g => (long)g.N);
        double mean = valid.Sum(g => g.Value * g.N) / total;
        double? se = null;
        if (valid.All(g => g.Stderr is not null) && total > valid.Count)
            se = Math.Sqrt(valid.Sum(g => (g.N - 1.0) * g.Stderr!.Value * g.Stderr.Value * g.N) / (total - valid.Count) / total);
        return new MetricValue(mean, se, (int)total);
    }
}
