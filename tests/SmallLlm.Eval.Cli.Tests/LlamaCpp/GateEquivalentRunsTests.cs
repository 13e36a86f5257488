using System.Text.Json;
using System.Text.Json.Nodes;

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

    [Fact]
    public void A_run_recorded_with_non_finite_scores_fails_the_gate_unless_allowed_and_a_user_config_is_named()
    {
        string baseline = GgufFixture.Temp("gate-nonfinite-base"), current = GgufFixture.Temp("gate-nonfinite-current");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "tinystories_ppl", "-o", baseline);
        Assert.True(run.ExitCode == 0, run.ToString());
        // What `eval --allow-nonfinite` files when the model gave NaN scores: the same metrics, and the count.
        string result = Directory.GetFiles(baseline, "tinystories_ppl.json", SearchOption.AllDirectories).Single();
        string copy = Path.Combine(current, "stories260K");
        Directory.CreateDirectory(copy);
        var json = JsonNode.Parse(File.ReadAllText(result))!;
        json["counts"]!["nonfinite_scores"] = 5;
        File.WriteAllText(Path.Combine(copy, "tinystories_ppl.json"), json.ToJsonString());
        File.Copy(Path.ChangeExtension(result, null) + ".samples.jsonl", Path.Combine(copy, "tinystories_ppl.samples.jsonl"));

        var fail = CliRun.InProcess("check", "--baseline", baseline, "--current", current);
        Assert.True(fail.ExitCode == 1, fail.ToString());
        Assert.Contains("FAIL: 5 request(s) got NaN or infinite scores", fail.Stdout);
        string config = GgufFixture.Temp("gate-user-config.json");
        File.WriteAllText(config, """{ "check": { "tolerances": { "*": "0" } } }""");
        var allowed = CliRun.InProcess("check", "--baseline", baseline, "--current", current, "--allow-nonfinite", "--config", config);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains($"tinystories_ppl.word_perplexity: 0.01%, from floor 1e-4 relative (configured 0: * in user config {config})", allowed.Stdout);
    }
}
