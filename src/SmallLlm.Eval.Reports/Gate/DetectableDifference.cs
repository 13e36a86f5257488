namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// The minimum detectable difference of a two-sided test at level alpha with 80% power, from the standard errors of
/// both runs: (z₁₋α/₂ + z₀.₈)·√(se_b² + se_c²) (2.80 standard errors at alpha 0.05). That is what an unpaired test
/// can see at the run's n; the paired tests (McNemar, paired bootstrap) see at least as small a drop when the runs agree
/// document by document. A drop smaller than this passes mostly because the run is too small to tell.
/// </summary>
public static class DetectableDifference
{
    public const double Power = 0.8;

    public static double? At(double alpha, double? baselineSe, double? currentSe)
    {
        if (baselineSe is not double b || currentSe is not double c || !double.IsFinite(b) || !double.IsFinite(c)) return null;
        return (NormalQuantile(1 - alpha / 2) + NormalQuantile(Power)) * Math.Sqrt(b * b + c * c);
    }

    /// <summary>The standard normal quantile, by bisection on <see cref="TwoSampleTest.Erfc"/> (accurate to its 1.2e-7).</summary>
    public static double NormalQuantile(double p)
    {
        if (p is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), "a probability strictly between 0 and 1");
        double lo = -10, hi = 10;
        for (int i = 0; i < 100; i++)
        {
            double mid = (lo + hi) / 2;
            if (0.5 * TwoSampleTest.Erfc(-mid / Math.Sqrt(2)) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
