using SmallLlm.Eval.Metrics;

namespace SmallLlm.Eval.Tests.Tasks.Perplexity;

public class PerplexityMetricsTests
{
    [Theory] // expected counts from Python: len(re.split(r"\s+", s))
    [InlineData("a b", 2)]
    [InlineData(" a b ", 4)]
    [InlineData("", 1)]
    [InlineData("a\n\nb\t c", 3)]
    [InlineData("x\u001cy", 2)]
    [InlineData("\u00a0a", 2)]
    public void Words_are_counted_as_python_re_split(string text, long expected) =>
        Assert.Equal(expected, PerplexityMetrics.WordCount(text));

    [Fact]
    public void Formulas_match_hand_computed_values()
    {
        // Σ log p = −12 over 6 tokens, 4 words, 16 bytes.
        Assert.Equal(Math.Exp(2.0), PerplexityMetrics.Perplexity(-12, 6), 12);
        Assert.Equal(Math.Exp(3.0), PerplexityMetrics.Perplexity(-12, 4), 12);
        Assert.Equal(Math.Exp(0.75), PerplexityMetrics.Perplexity(-12, 16), 12);
        Assert.Equal(12 / (16 * 0.6931471805599453), PerplexityMetrics.BitsPerByte(-12, 16), 12);
        Assert.True(double.IsNaN(PerplexityMetrics.Perplexity(0, 0)));
    }
}
