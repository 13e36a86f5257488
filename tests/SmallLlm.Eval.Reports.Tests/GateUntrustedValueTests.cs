using System.Text.Json.Nodes;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>A NaN or missing current metric fails the gate (exit 1); a NaN baseline cannot be compared (exit 2).</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateUntrustedValueTests(EvaluatedRuns runs)
{
    private static string Cloze(string dir) => RunResults.Result(dir, StoryClozeTask.Name);

    /// <summary>A copy of the baseline's result (and samples) with its metrics edited.</summary>
    private string Edited(string name, Action<JsonObject> edit) => EditedFile(name, json => edit(json["metrics"]!.AsObject()));

    /// <summary>A copy of the baseline's result (and samples) with the whole results JSON edited.</summary>
    private string EditedFile(string name, Action<JsonObject> edit)
    {
        string dir = Path.Combine(runs.Root, "edited-" + name + "-" + Guid.NewGuid().ToString("N")[..6], "stories260K");
        Directory.CreateDirectory(dir);
        string source = Cloze(runs.Baseline);
        var json = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        edit(json);
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
        var line = GateText.Render(result).Split('\n').Single(l => l.Contains("| stories_cloze | acc |", StringComparison.Ordinal));
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
        var result = GateTests.Check(Cloze(runs.Baseline), current, GateTests.RepositorySettings with { AllMetrics = true });
        Assert.True(result.ExitCode == GateResult.Regressed, GateText.Render(result));
        var line = GateText.Render(result).Split('\n').Single(l => l.Contains("| stories_cloze | acc_norm |", StringComparison.Ordinal));
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

    [SkippableFact]
    public void A_run_recorded_with_non_finite_scores_fails_unless_the_user_allows_it()
    {
        // What `eval --allow-nonfinite` writes when the model gave NaN scores: the count, and metrics that look fine.
        string current = EditedFile("nonfinite", json => json["counts"]!["nonfinite_scores"] = 80);
        var result = GateTests.Check(Cloze(runs.Baseline), current);
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Regressed, text);
        Assert.Contains("| stories260K | stories_cloze | nonfinite_scores |", text);
        Assert.Contains("FAIL: 80 request(s) got NaN or infinite scores (recorded with --allow-nonfinite)", text);
        var allowed = GateTests.Check(Cloze(runs.Baseline), current, GateTests.RepositorySettings with { AllowNonFinite = true });
        Assert.True(allowed.ExitCode == GateResult.Holds, GateText.Render(allowed));
        var limitsOnly = QualityGate.CheckLimits(ResultFileReader.Read(current), new GateSettings());
        Assert.True(limitsOnly.ExitCode == GateResult.Regressed, GateText.Render(limitsOnly));
    }

    [SkippableFact]
    public void A_baseline_recorded_with_non_finite_scores_cannot_be_compared_unless_allowed()
    {
        string baseline = EditedFile("nonfinitebase", json => json["counts"]!["nonfinite_scores"] = 3);
        var result = GateTests.Check(baseline, Cloze(runs.Baseline));
        Assert.True(result.ExitCode == GateResult.CannotCompare, GateText.Render(result));
        Assert.Contains(result.Incomparable, p => p.Contains("the baseline recorded 3 non-finite score(s)"));
        Assert.Equal(GateResult.Holds, GateTests.Check(baseline, Cloze(runs.Baseline), GateTests.RepositorySettings with { AllowNonFinite = true }).ExitCode);
    }
}
