using TorchSharp;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>
/// The forward pass leaves nothing in its caller's dispose scope but its result, also when a layer throws (every
/// tensor it makes belongs to its own scopes). Counted by the caller's scope, which sees whatever leaks into it.
/// </summary>
public class TensorLifetimeTests
{
    [Theory]
    [InlineData(4, 2, 0)] // grouped-query attention, no sliding window
    [InlineData(4, 4, 4)] // multi-head, sliding-window mask built
    public void A_forward_pass_leaves_only_its_result_in_the_callers_scope(int heads, int kvHeads, int window)
    {
        var config = TestModels.Tiny(heads, kvHeads) with { SlidingWindow = window == 0 ? null : window };
        using var model = TestModels.Random(config);
        using var caller = torch.NewDisposeScope();
        var tokens = torch.tensor(new long[] { 1, 5, 9, 3, 40, 22, 7, 7 }, [1, 8]);
        using var cache = new KvCache(model.Config, 1, 16, model.ScalarType);
        int before = caller.DisposablesCount;

        var first = model.Hidden(tokens.narrow(1, 0, 3), cache);
        var rest = model.Hidden(tokens.narrow(1, 3, 5), cache); // on a cache: the causal (and window) mask is built
        Assert.Equal(before + 4, caller.DisposablesCount); // the two narrow views and the two results
        Assert.Equal(new long[] { 1, 5, 32 }, rest.shape);
        Assert.Equal(8, cache.Length);
    }

    [Fact]
    public void A_forward_pass_that_throws_in_a_layer_leaves_nothing_in_the_callers_scope()
    {
        using var model = TestModels.Random(TestModels.Tiny());
        using var caller = torch.NewDisposeScope();
        var tokens = torch.tensor(new long[] { 1, 5, 9, 3, 40, 22, 7, 7 }, [1, 8]);
        using var cache = new KvCache(model.Config, 1, 4, model.ScalarType); // too small: the first layer's append throws
        int before = caller.DisposablesCount;

        var error = Assert.Throws<InvalidOperationException>(() => model.Hidden(tokens, cache));
        Assert.Contains("KV cache full", error.Message);
        Assert.Equal(before, caller.DisposablesCount);
        Assert.Equal(0, cache.Length);
    }
}
