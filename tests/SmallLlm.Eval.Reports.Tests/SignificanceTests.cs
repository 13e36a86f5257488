using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Reports.Gate;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>The gate's tests against values computed by hand.</summary>
public sealed class SignificanceTests
{
    [Theory]
    // p = min(1, 2·Σ_{i≤min(b,c)} C(b+c, i) / 2^(b+c))
    [InlineData(5, 0, 0.0625)]                            // 2·1/32
    [InlineData(1, 9, 0.021484375)]                       // 2·(1+10)/1024
    [InlineData(26, 4, 2.0 * 31931 / 1073741824)]         // 2·(1+30+435+4060+27405)/2^30
    [InlineData(3, 3, 1.0)]                               // 2·42/64 > 1
    [InlineData(0, 0, 1.0)]                               // no discordant pair: no evidence
    public void McNemar_exact_p_values(int b, int c, double expected) =>
        Assert.Equal(expected, McNemarTest.PValue(b, c), 12);

    [Fact]
    public void McNemar_does_not_underflow_on_many_documents() =>
        Assert.InRange(McNemarTest.PValue(2000, 1900), 0.1, 0.2); // z ≈ 1.6 → p ≈ 0.114

    [Theory]
    [InlineData(0.50, 0.02, 0.4608, 0.0, 0.05)]  // z = 1.96 → p = 0.05 (standard errors combine as √(se²+se²))
    [InlineData(0.50, 0.01, 0.50, 0.01, 1.0)]
    public void Two_sample_z_test(double b, double seB, double c, double seC, double expected) =>
        Assert.Equal(expected, TwoSampleTest.PValue(b, seB, c, seC)!.Value, 3);

    [Fact]
    public void Two_sample_test_without_standard_errors_gives_no_p_value() =>
        Assert.Null(TwoSampleTest.PValue(0.5, null, 0.4, 0.01));

    [Fact]
    public void Paired_bootstrap_is_seeded_and_sees_a_consistent_loss()
    {
        var rng = new SeededRandom(3);
        var docs = Enumerable.Range(0, 200).Select(_ =>
        {
            double tokens = 50 + rng.NextInt(100), ll = -tokens * (2 + rng.NextDouble());
            return new PairedBootstrap.Document(ll, ll - tokens * 0.05 * (0.5 + rng.NextDouble()), tokens, tokens); // every document a bit worse
        }).ToList();
        double p = PairedBootstrap.PValue(docs, 1000, 42);
        Assert.Equal(p, PairedBootstrap.PValue(docs, 1000, 42));
        Assert.True(p < 0.01, $"p = {p}");
        var same = docs.Select(d => d with { CurrentLogLikelihood = d.BaselineLogLikelihood }).ToList();
        Assert.Equal(1.0, PairedBootstrap.PValue(same, 1000, 42));
        // Half the documents better, half worse by the same amount: no evidence either way.
        var mixed = docs.Select((d, i) => d with { CurrentLogLikelihood = d.BaselineLogLikelihood + (i % 2 == 0 ? 1 : -1) * d.BaselineUnits * 0.01 }).ToList();
        Assert.True(PairedBootstrap.PValue(mixed, 1000, 42) > 0.05);
    }

    [Fact]
    public void Seeded_random_is_splitmix64_and_draws_integers_uniformly()
    {
        // SplitMix64's published outputs for seed 0 (Vigna's reference implementation).
        var r = new SeededRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, r.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, r.NextUInt64());
        // 100,000 draws in [0, 10): chi-square with 9 degrees of freedom stays below 27.88 (p = 0.001) for a uniform draw.
        var counts = new int[10];
        var draws = new SeededRandom(42);
        for (int i = 0; i < 100_000; i++) counts[draws.NextInt(10)]++;
        double chi = counts.Sum(c => (c - 10_000.0) * (c - 10_000.0) / 10_000.0);
        Assert.True(chi < 27.88, $"chi-square {chi:F2}: counts {string.Join(", ", counts)}");
    }

    [Theory]
    [InlineData("0.02", 0.8, 0.02)]
    [InlineData("5%", 20.0, 1.0)]
    public void Tolerances_absolute_and_relative(string text, double baseline, double allowed) =>
        Assert.Equal(allowed, Tolerance.Parse(text, "test").AllowedDrop(baseline), 12);

    [Fact]
    public void A_negative_tolerance_is_refused() =>
        Assert.Throws<ArgumentException>(() => Tolerance.Parse("-1", "test"));
}
