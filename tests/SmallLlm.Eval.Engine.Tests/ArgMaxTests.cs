namespace SmallLlm.Eval.Engine.Tests;

public class ArgMaxTests
{
    [Fact]
    public void The_first_of_equal_largest_values_wins_and_no_values_is_an_error()
    {
        Assert.Equal(1, ArgMax.Of<float>([0.5f, 2f, -1f, 2f]));
        Assert.Equal(0, ArgMax.Of<double>([-3.0]));
        Assert.Equal(2, ArgMax.Of<double>([double.NegativeInfinity, -7.5, -0.25]));
        Assert.Throws<ArgumentException>(() => ArgMax.Of<float>([]));
    }
}
