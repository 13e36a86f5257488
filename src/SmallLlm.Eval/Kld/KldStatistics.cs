namespace SmallLlm.Eval.Kld;

/// <summary>
/// Accumulates, position by position, what llama-perplexity --kl-divergence reports: KL(base ‖ model) of the next-token
/// distributions, top-1 agreement, |Δp| of the base's top token, and both models' log-likelihood of the actual next
/// token. Only one double per position is kept (for exact percentiles), never a distribution.
/// </summary>
public sealed class KldStatistics
{
    private readonly List<double> _kld = new();
    private double _sumKld, _sumKldSq, _nllBase, _nllModel, _sumDp, _maxDp;
    private long _agree;

    public long Tokens => _kld.Count;

    /// <summary>Adds one position: the logits of both models and the token that actually came next.</summary>
    public void Add(ReadOnlySpan<float> baseLogits, ReadOnlySpan<float> modelLogits, int next)
    {
        int v = baseLogits.Length;
        double bMax = double.NegativeInfinity, mMax = double.NegativeInfinity;
        int bTop = 0, mTop = 0;
        for (int i = 0; i < v; i++)
        {
            if (baseLogits[i] > bMax) { bMax = baseLogits[i]; bTop = i; }
            if (modelLogits[i] > mMax) { mMax = modelLogits[i]; mTop = i; }
        }
        double bSum = 0, mSum = 0;
        for (int i = 0; i < v; i++)
        {
            bSum += Math.Exp(baseLogits[i] - bMax);
            mSum += Math.Exp(modelLogits[i] - mMax);
        }
        double bLse = bMax + Math.Log(bSum), mLse = mMax + Math.Log(mSum);
        double kld = 0;
        for (int i = 0; i < v; i++)
        {
            double lp = baseLogits[i] - bLse, lq = modelLogits[i] - mLse;
            kld += Math.Exp(lp) * (lp - lq);
        }
        kld = Math.Max(0, kld); // rounding can give -1e-17 for identical distributions
        if (double.IsNaN(kld)) throw new InvalidOperationException($"KL divergence is NaN at position {Tokens}: a model produced NaN/Inf logits");
        _kld.Add(kld);
        _sumKld += kld;
        _sumKldSq += kld * kld;
        if (bTop == mTop) _agree++;
        double dp = Math.Abs(Math.Exp(baseLogits[bTop] - bLse) - Math.Exp(modelLogits[bTop] - mLse));
        _sumDp += dp;
        _maxDp = Math.Max(_maxDp, dp);
        _nllBase -= baseLogits[next] - bLse;
        _nllModel -= modelLogits[next] - mLse;
    }

    public KldSummary Summary(string name)
    {
        long n = _kld.Count;
        if (n == 0) throw new InvalidOperationException($"{name}: no tokens were scored (the data is empty)");
        var sorted = _kld.ToArray();
        Array.Sort(sorted);
        double mean = _sumKld / n;
        double variance = n > 1 ? Math.Max(0, (_sumKldSq - n * mean * mean) / (n - 1)) : 0;
        double pBase = Math.Exp(_nllBase / n), pModel = Math.Exp(_nllModel / n);
        return new KldSummary(name, n, mean, Math.Sqrt(variance / n), Percentile(sorted, 0.5), Percentile(sorted, 0.9),
            Percentile(sorted, 0.95), Percentile(sorted, 0.99), Percentile(sorted, 0.999), sorted[^1], (double)_agree / n,
            _sumDp / n, _maxDp, pBase, pModel, pModel / pBase);
    }

    public IReadOnlyList<double> Values => _kld;

    /// <summary>Linear interpolation between closest ranks (numpy's default).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
