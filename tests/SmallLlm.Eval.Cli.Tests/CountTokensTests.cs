namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tasks inspect --count-tokens`: what a run would compute, with and without few-shot prefix reuse.</summary>
public class CountTokensTests
{
    [Fact]
    public void Few_shot_mmlu_needs_fewer_tokens_with_reuse_and_zero_shot_saves_less()
    {
        long[] Count(int shots)
        {
            var run = CliRun.InProcess("tasks", "inspect", "mmlu", "--num-fewshot", shots.ToString(), "--limit", "3", "--count-tokens", "-t", "llama3", "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            var c = run.Json().GetProperty("token_count");
            Assert.Equal(57 * 3 * 4, c.GetProperty("scoring_requests").GetInt32());
            return [c.GetProperty("tokens_without_reuse").GetInt64(), c.GetProperty("tokens_with_reuse").GetInt64()];
        }
        var five = Count(5);
        var zero = Count(0);
        // Five shots per subject are shared by its 3 questions: reuse saves most of them.
        Assert.True(five[1] * 2 < five[0], $"5-shot: {five[1]} with reuse, {five[0]} without");
        Assert.True(zero[1] <= zero[0]);
        Assert.True(five[0] - five[1] > zero[0] - zero[1]);
    }
}
