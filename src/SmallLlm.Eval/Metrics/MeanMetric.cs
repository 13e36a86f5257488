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
}
