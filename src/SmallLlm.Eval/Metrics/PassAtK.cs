namespace SmallLlm.Eval.Metrics;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. 2021 (human-eval's estimate_pass_at_k): 1 − C(n−c, k) / C(n, k) for n
/// samples of which c pass, computed as 1 − Π_{i=n−c+1..n} (1 − k / i), which never forms the huge binomials.
/// </summary>
public static class PassAtK
{
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), $"need 0 <= c <= n and n >= 1, got n={n}, c={c}");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"pass@{k} needs 1 <= k <= n = {n}");
        if (n - c < k) return 1.0;
        double product = 1.0;
        for (int i = n - c + 1; i <= n; i++) product *= 1.0 - (double)k / i;
        return 1.0 - product;
    }
}
