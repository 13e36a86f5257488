namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// How a metric derived from the corpus log-likelihood relates to the mean negative log-likelihood per unit (nats):
/// perplexities are exp(nll), bits per byte is nll / ln 2, nll_* is nll itself. A change of perplexity by the factor
/// (1 + r) is the change ln(1 + r) nats, or log2(1 + r) bits: one tolerance, stated once, means the same for all of them.
/// </summary>
public enum LogLikelihoodScale { None, Perplexity, Nats, Bits }

public static class LogLikelihoodScales
{
    /// <summary>The scale of a metric: declared as a corpus log-likelihood or perplexity metric (schema 2), or by name (schema 1).</summary>
    public static LogLikelihoodScale Of(string metric, ResultMetric? m)
    {
        bool family = m?.Declared is { } d
            ? d.Aggregation is "corpus_loglikelihood_per_unit" or "perplexity"
            : MetricKinds.LowerIsBetter(metric);
        if (!family) return LogLikelihoodScale.None;
        if (metric.Contains("perplexity", StringComparison.OrdinalIgnoreCase)) return LogLikelihoodScale.Perplexity;
        if (metric.Contains("bits_per", StringComparison.OrdinalIgnoreCase)) return LogLikelihoodScale.Bits;
        return LogLikelihoodScale.Nats;
    }

    /// <summary>The allowed rise of a metric on this scale for a perplexity ratio 1 + <paramref name="ratio"/>, at the baseline value.</summary>
    public static double AllowedRise(LogLikelihoodScale scale, double ratio, double baseline) => scale switch
    {
        LogLikelihoodScale.Perplexity => Math.Abs(baseline) * ratio,
        LogLikelihoodScale.Nats => Math.Log(1 + ratio),
        LogLikelihoodScale.Bits => Math.Log2(1 + ratio),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), "not a log-likelihood metric"),
    };

    /// <summary>The metric's value for a mean negative log-likelihood per unit (nats).</summary>
    public static double FromNats(LogLikelihoodScale scale, double nats) => scale switch
    {
        LogLikelihoodScale.Perplexity => Math.Exp(nats),
        LogLikelihoodScale.Nats => nats,
        LogLikelihoodScale.Bits => nats / Math.Log(2),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), "not a log-likelihood metric"),
    };
}
