namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// McNemar's exact test on paired correctness: only the discordant documents count, b (baseline right, current
/// wrong) and c (baseline wrong, current right); under "no change" each is a fair coin flip, so
/// p = min(1, 2·P[Binomial(b+c, ½) ≤ min(b, c)]).
/// </summary>
public static class McNemarTest
{
    public static double PValue(int b, int c)
    {
        if (b < 0 || c < 0) throw new ArgumentOutOfRangeException(nameof(b), "discordant counts must be non-negative");
        int n = b + c;
        if (n == 0) return 1.0;
        return Math.Min(1.0, 2 * BinomialHalfCdf(Math.Min(b, c), n));
    }

    /// <summary>P[X ≤ k] for X ~ Binomial(n, ½), summed in log space so thousands of documents do not underflow.</summary>
    public static double BinomialHalfCdf(int k, int n)
    {
        double logHalfPowN = n * Math.Log(0.5), logChoose = 0, sum = 0;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0) logChoose += Math.Log(n - i + 1) - Math.Log(i);
            sum += Math.Exp(logChoose + logHalfPowN);
        }
        return Math.Min(1.0, sum);
    }
}
