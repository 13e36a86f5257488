using SmallLlm.Eval.Metrics;

namespace SmallLlm.Eval.Tests.Tasks.Code;

public class PassAtKTests
{
    [Theory] // hand-computed 1 − C(n−c,k)/C(n,k)
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(10, 3, 5, 1 - 21.0 / 252)]     // C(7,5)=21, C(10,5)=252
    [InlineData(5, 0, 1, 0.0)]
    [InlineData(5, 4, 2, 1.0)]                 // n − c < k
    [InlineData(200, 1, 100, 0.5)]             // C(199,100)/C(200,100) = 100/200; binomials ~1e58, never formed
    [InlineData(1, 1, 1, 1.0)]
    public void Matches_the_unbiased_estimator(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Stays_stable_where_binomials_overflow()
    {
        // C(2000,1000) overflows double; the product form gives 1 − Π(1 − 1000/i) for i = 1991..2000.
        double expected = 1 - Enumerable.Range(1991, 10).Aggregate(1.0, (p, i) => p * (1 - 1000.0 / i));
        Assert.Equal(expected, PassAtK.Estimate(2000, 10, 1000), 12);
        Assert.InRange(PassAtK.Estimate(2000, 10, 1000), 0.99, 1.0);
    }

    [Fact]
    public void Rejects_k_above_n() => Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 1, 10));
}
