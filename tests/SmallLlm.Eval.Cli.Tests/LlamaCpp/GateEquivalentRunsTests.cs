using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests.LlamaCpp;

/// <summary>
/// The same stories260K weights through the built-in engine and through llama.cpp on their f32 GGUF differ only by float
/// noise (~1e-7): `smalleval check` with the bundled config holds on every metric, where it once failed three of them.
/// </summary>
public sealed class GateEquivalentRunsTests
{
    [Fact]
    public void The_same_weights_through_llama_cpp_and_the_built_in_engine_pass_the_gate_on_every_metric()
    {
        string torch = GgufFixture.Temp("gate-torch"), llama = GgufFixture.Temp("gate-llamacpp");
        var a = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "tinystories_ppl", "-o", torch);
        Assert.True(a.ExitCode == 0, a.ToString());
        var b = CliRun.InProcess("eval", "--model", GgufFixture.Stories260K(), "--tasks", "tinystories_ppl", "-o", llama);
        Assert.True(b.ExitCode == 0, b.ToString());
        var check = CliRun.InProcess("check", "--baseline", llama, "--current", torch, "--all-metrics", "--json");
        Assert.True(check.ExitCode == 0, check.ToString());
        var checks = check.Json().GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(5, checks.Count);
        Assert.Contains(checks, c => c.GetProperty("delta").GetDouble() != 0); // the engines do differ, by float noise
        Assert.All(checks, c => Assert.False(c.GetProperty("failed").GetBoolean()));
        Assert.All(checks, c => Assert.NotEqual(JsonValueKind.Null, c.GetProperty("holm_p_value").ValueKind));
    }
}
