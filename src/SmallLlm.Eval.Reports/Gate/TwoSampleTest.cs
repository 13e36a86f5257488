namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// Two independent estimates with standard errors: z = (current − baseline) / √(se_b² + se_c²), two-sided normal
/// p-value. Used when per-sample results are missing or cover different documents.
/// </summary>
public static class TwoSampleTest
{
    public static double? PValue(double baseline, double? baselineSe, double current, double? currentSe)
    {
        if (baselineSe is null || currentSe is null) return null;
        double se = Math.Sqrt(baselineSe.Value * baselineSe.Value + currentSe.Value * currentSe.Value);
        double delta = current - baseline;
        if (se == 0) return delta == 0 ? 1.0 : 0.0;
        return Erfc(Math.Abs(delta) / se / Math.Sqrt(2));
    }

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
