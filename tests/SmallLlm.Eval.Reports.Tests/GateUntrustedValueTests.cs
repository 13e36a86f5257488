using System.Text.Json.Nodes;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>A NaN or missing current metric fails the gate (exit 1); a NaN baseline cannot be compared (exit 2).</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateUntrustedValueTests(EvaluatedRuns runs)
{
    private static string Cloze(string dir) => Path.Combine(dir, "stories260K", StoryClozeTask.Name + ".json");

    /// <summary>A copy of the baseline's result (and samples) with its metrics edited.</summary>
    private string Edited(string name, Action<JsonObject> edit)
    {
        string dir = Path.Combine(runs.Root, "edited-" + name + "-" + Guid.NewGuid().ToString("N")[..6], "stories260K");
        Directory.CreateDirectory(dir);
        string source = Cloze(runs.Baseline);
        var json = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        edit(json["metrics"]!.AsObject());
        File.WriteAllText(Path.Combine(dir, Path.GetFileName(source)), json.ToJsonString());
        string samples = Path.ChangeExtension(source, null) + ".samples.jsonl";
        File.Copy(samples, Path.Combine(dir, Path.GetFileName(samples)));
        return Path.Combine(dir, Path.GetFileName(source));
    }

    [SkippableFact]
    public void A_NaN_current_metric_fails()
    {
        string current = Edited("nan", m => m["acc"]!["value"] = "NaN");
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", current);
        Assert.True(run.ExitCode == 1, run.ToString());
        var line = run.Stdout.Split('\n').Single(l => l.StartsWith("| stories_cloze | acc |", StringComparison.Ordinal));
        Assert.Contains("FAIL: the current value is NaN", line);
    }

    [SkippableFact]
    public void An_infinite_current_perplexity_fails_even_with_a_huge_tolerance()
    {
        string current = Edited("inf", m => m["acc"]!["value"] = "-Infinity");
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", current, "--tolerance", "1000");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("FAIL: the current value is", run.Stdout);
    }

    [SkippableFact]
    public void A_missing_current_metric_fails()
    {
        string current = Edited("missing", m => m.Remove("acc_norm"));
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", current);
        Assert.True(run.ExitCode == 1, run.ToString());
        var line = run.Stdout.Split('\n').Single(l => l.StartsWith("| stories_cloze | acc_norm |", StringComparison.Ordinal));
        Assert.Contains("FAIL: missing from the current results", line);
    }

    [SkippableFact]
    public void A_NaN_baseline_cannot_be_compared()
    {
        string baseline = Edited("nanbase", m => m["acc"]!["value"] = "NaN");
        var run = CliRun.InProcess("check", "--baseline", baseline, "--current", Cloze(runs.Baseline));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the baseline's acc is not a number", run.Stdout);
    }
}

/// <summary>Usage errors exit 2, never 1, so that for `check` exit 1 means only "regression".</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("check", "--baseline", "x")]                                      // missing --current
    [InlineData("check", "--baseline", "x", "--current", "y", "--no-such-option")] // unknown option
    [InlineData("check", "--baseline", "x", "--current", "y", "--alpha", "abc")]   // unparsable value
    [InlineData("no-such-command")]
    public void Usage_errors_exit_2_not_1(params string[] args)
    {
        var run = CliRun.InProcess(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Stderr);
    }
}
