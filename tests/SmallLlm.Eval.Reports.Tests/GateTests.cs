using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>The gate on real runs: unchanged, damaged, slightly perturbed and incomparable models.</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateTests(EvaluatedRuns runs)
{
    private static string Cloze(string dir) => RunResults.Result(dir, StoryClozeTask.Name);

    /// <summary>The repository's eval.config.json "check" section (acc tolerance 0.02), as `smalleval check` reads it by default.</summary>
    public static GateSettings RepositorySettings => GateSettings.FromConfig(ProjectPaths.DefaultConfig());

    public static GateResult Check(string baseline, string current, GateSettings? settings = null) =>
        QualityGate.Compare(ResultFileReader.Read(baseline), ResultFileReader.Read(current), settings ?? RepositorySettings);

    [SkippableFact]
    public void Unchanged_model_from_another_checkpoint_format_passes()
    {
        var result = Check(Cloze(runs.Baseline), runs.SameWeights);
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Holds, text);
        Assert.Contains("McNemar exact (b=0, c=0)", text);
        Assert.EndsWith("1 passed, 0 failed\n", text); // the headline, acc
        Assert.EndsWith("4 passed, 0 failed\n", GateText.Render(Check(Cloze(runs.Baseline), runs.SameWeights, RepositorySettings with { AllMetrics = true }))); // acc, acc_norm, acc_bytes, bpb
    }

    [SkippableFact]
    public void Damaged_weights_fail_with_a_clear_report_and_junit()
    {
        var result = Check(Cloze(runs.Baseline), runs.SweepResults("step-50"));
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Regressed, text);
        var accLine = text.Split('\n').Single(l => l.Contains("| stories_cloze | acc |", StringComparison.Ordinal));
        Assert.Contains("McNemar exact", accLine);
        Assert.Contains("FAIL: drop", accLine);
        Assert.Contains("significant (Holm p = ", accLine);
        Assert.EndsWith("0 passed, 1 failed\n", text);
        var suite = JUnitReport.Build(result).Root!.Element("testsuite")!;
        Assert.Equal("1", suite.Attribute("tests")!.Value);
        Assert.Contains(suite.Elements("testcase"), t => t.Attribute("name")!.Value == "acc" && t.Element("failure") is not null
            && t.Attribute("classname")!.Value == "smalleval.check.step-50.stories_cloze");
    }

    [SkippableFact]
    public void Noise_level_weight_changes_pass()
    {
        // 5% noise changes some predictions (discordant pairs exist) without a significant drop.
        string text = GateText.Render(Check(Cloze(runs.Baseline), runs.SweepResults("step-1000"), RepositorySettings with { AllMetrics = true }));
        Assert.Contains("4 passed, 0 failed", text); // acc, acc_norm, acc_bytes, bpb
        Assert.DoesNotContain("McNemar exact (b=0, c=0)", text);
    }

    [SkippableFact]
    public void A_tolerance_larger_than_the_drop_lets_the_damaged_model_pass()
    {
        var all = new GateSettings { Tolerances = new Dictionary<string, Tolerance> { ["*"] = Tolerance.Parse("100%", "test") } };
        var result = Check(Cloze(runs.Baseline), runs.SweepResults("step-50"), all);
        Assert.True(result.ExitCode == GateResult.Holds, GateText.Render(result));
        Assert.Contains("within tolerance", GateText.Render(result));
    }

    [SkippableFact]
    public void Different_settings_cannot_be_compared()
    {
        var result = Check(Cloze(runs.Baseline), runs.OtherLimit);
        Assert.True(result.ExitCode == GateResult.CannotCompare, GateText.Render(result));
        Assert.Contains("stories_cloze: different setting limit null vs 30 (baseline vs current)", result.Incomparable);
    }

    [SkippableFact]
    public void Tasks_only_one_side_ran_are_named_in_a_warning_and_the_shared_ones_gated()
    {
        // The baseline folder also holds arc_easy and mmlu (as a folder with a kld run would): the shared task is still gated.
        var result = Check(runs.Baseline, runs.SameWeights);
        Assert.True(result.ExitCode == GateResult.Holds, GateText.Render(result));
        Assert.Equal(["stories_cloze"], result.Checks.Select(c => c.Task).Distinct());
        Assert.Contains("not gated: only the baseline has arc_easy, mmlu (--tasks names the tasks to gate)", result.Warnings);
    }

    [SkippableFact]
    public void A_listed_task_that_one_side_lacks_cannot_be_compared()
    {
        var result = Check(runs.Baseline, runs.SameWeights, RepositorySettings with { Tasks = ["stories_cloze", "mmlu"] });
        Assert.True(result.ExitCode == GateResult.CannotCompare, GateText.Render(result));
        Assert.Contains("--tasks mmlu: the current results have no mmlu run", result.Incomparable);
        Assert.NotNull(JUnitReport.Build(result).Descendants("error").SingleOrDefault());
        var only = Check(runs.Baseline, runs.SameWeights, RepositorySettings with { Tasks = ["stories_cloze"] });
        Assert.True(only.ExitCode == GateResult.Holds, GateText.Render(only));
    }

    [SkippableFact]
    public void Results_with_no_task_in_common_cannot_be_compared()
    {
        var result = Check(RunResults.Result(runs.Baseline, "arc_easy"), runs.SameWeights);
        Assert.True(result.ExitCode == GateResult.CannotCompare, GateText.Render(result));
        Assert.Contains("no task in common: the baseline has arc_easy, the current results have stories_cloze", result.Incomparable);
    }
}

/// <summary>Tolerances and the significance level from a config file's "check" section.</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateConfigTests(EvaluatedRuns runs)
{
    [SkippableFact]
    public void Per_metric_tolerance_from_the_config_applies_to_that_metric_only()
    {
        string config = Path.Combine(runs.Root, "gate.config.json");
        File.WriteAllText(config, """{ "models": [], "check": { "alpha": 0.04, "tolerances": { "stories_cloze.acc": "50%", "*": "0.01" } } }""");
        var result = GateTests.Check(RunResults.Result(runs.Baseline, StoryClozeTask.Name), runs.SweepResults("step-50"), GateSettings.FromConfig(config) with { AllMetrics = true });
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Regressed, text);
        var lines = text.Split('\n');
        string acc = lines.Single(l => l.Contains("| stories_cloze | acc |", StringComparison.Ordinal));
        Assert.Contains("| 50% (0.4000) |", acc);
        Assert.Contains("pass: drop 0.3667 within tolerance 0.4000", acc);
        Assert.Contains("FAIL", lines.Single(l => l.Contains("| stories_cloze | acc_norm |", StringComparison.Ordinal)));
        Assert.Contains("significance level 0.0400", text); // acc_norm's Holm p (0.0153) is significant at 0.04
        Assert.Contains($"  stories_cloze.acc: 50%, from stories_cloze.acc in config {config}\n", text);
    }

    [Fact]
    public void Limits_from_the_config_are_read_and_a_bad_one_is_refused_naming_it()
    {
        string dir = Directory.CreateTempSubdirectory("smalleval-limits-").FullName;
        string config = Path.Combine(dir, "c.json");
        File.WriteAllText(config, """{ "check": { "limits": { "kld.mean_kld": { "max": 0.02 }, "kld.top1_agreement": { "min": 0.9 } } } }""");
        Assert.Equal([new MetricLimit("kld", "mean_kld", true, 0.02), new MetricLimit("kld", "top1_agreement", false, 0.9)], GateSettings.FromConfig(config).Limits);
        File.WriteAllText(config, """{ "check": { "limits": { "kld.mean_kld": { "below": 0.02 } } } }""");
        Assert.Contains("check.limits.kld.mean_kld.below", Assert.Throws<InvalidDataException>(() => GateSettings.FromConfig(config)).Message);
        Directory.Delete(dir, true);
    }
}

/// <summary>Checkpoint ordering of a sweep.</summary>
public sealed class SweepOrderTests
{
    [Fact]
    public void Trainer_state_overrides_the_name_and_gives_tokens()
    {
        string dir = Directory.CreateTempSubdirectory("smalleval-ordered-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "late"));
        Directory.CreateDirectory(Path.Combine(dir, "checkpoint-5"));
        File.WriteAllText(Path.Combine(dir, "late", "trainer_state.json"), """{"global_step": 900, "num_input_tokens_seen": 123456}""");
        var series = SmallLlm.Eval.Reports.Sweeps.CheckpointSeries.Find(dir, tokensPerStep: 10);
        Assert.Equal(["checkpoint-5", "late"], series.Select(c => c.Name));
        Assert.Equal(50, series[0].Tokens);
        Assert.Equal(123456, series[1].Tokens);
        Assert.Equal("trainer_state.json", series[1].StepSource);
        Directory.CreateDirectory(Path.Combine(dir, "final"));
        Assert.Contains("final", Assert.Throws<InvalidDataException>(() => SmallLlm.Eval.Reports.Sweeps.CheckpointSeries.Find(dir)).Message);
        Directory.Delete(dir, true);
    }
}
