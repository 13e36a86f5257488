using System.Text.Json.Nodes;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>A NaN or missing current metric fails the gate (exit 1); a NaN baseline cannot be compared (exit 2).</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateUntrustedValueTests(EvaluatedRuns runs)
{
    private static string Cloze(string dir) => RunResults.Result(dir, StoryClozeTask.Name);

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
        var result = GateTests.Check(Cloze(runs.Baseline), current);
        Assert.True(result.ExitCode == GateResult.Regressed, GateText.Render(result));
        var line = GateText.Render(result).Split('\n').Single(l => l.StartsWith("| stories_cloze | acc |", StringComparison.Ordinal));
        Assert.Contains("FAIL: the current value is NaN", line);
    }

    [SkippableFact]
    public void An_infinite_current_perplexity_fails_even_with_a_huge_tolerance()
    {
        string current = Edited("inf", m => m["acc"]!["value"] = "-Infinity");
        var huge = new GateSettings { Tolerances = new Dictionary<string, Tolerance> { ["*"] = Tolerance.Parse("1000", "test") } };
        var result = GateTests.Check(Cloze(runs.Baseline), current, huge);
        Assert.True(result.ExitCode == GateResult.Regressed, GateText.Render(result));
        Assert.Contains("FAIL: the current value is", GateText.Render(result));
    }

    [SkippableFact]
    public void A_missing_current_metric_fails()
    {
        string current = Edited("missing", m => m.Remove("acc_norm"));
        var result = GateTests.Check(Cloze(runs.Baseline), current);
        Assert.True(result.ExitCode == GateResult.Regressed, GateText.Render(result));
        var line = GateText.Render(result).Split('\n').Single(l => l.StartsWith("| stories_cloze | acc_norm |", StringComparison.Ordinal));
        Assert.Contains("FAIL: missing from the current results", line);
    }

    [SkippableFact]
    public void A_NaN_baseline_cannot_be_compared()
    {
        string baseline = Edited("nanbase", m => m["acc"]!["value"] = "NaN");
        var result = GateTests.Check(baseline, Cloze(runs.Baseline));
        Assert.True(result.ExitCode == GateResult.CannotCompare, GateText.Render(result));
        Assert.Contains(result.Incomparable, p => p.Contains("the baseline's acc is not a number"));
    }
}
