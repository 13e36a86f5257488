using System.Xml.Linq;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>`smalleval check` on real runs: unchanged, damaged, slightly perturbed and incomparable models.</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateTests(EvaluatedRuns runs)
{
    private static string Cloze(string dir) => RunResults.Result(dir, StoryClozeTask.Name);

    [SkippableFact]
    public void Unchanged_model_from_another_checkpoint_format_passes()
    {
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", runs.SameWeights);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("McNemar exact (b=0, c=0)", run.Stdout);
        Assert.EndsWith("3 passed, 0 failed\n", run.Stdout); // acc, acc_norm, acc_bytes
    }

    [SkippableFact]
    public void Damaged_weights_fail_with_a_clear_report_and_junit()
    {
        string junit = Path.Combine(runs.Root, "junit-damaged.xml");
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", runs.SweepResults("step-50"), "--junit", junit);
        Assert.True(run.ExitCode == 1, run.ToString());
        var accLine = run.Stdout.Split('\n').Single(l => l.StartsWith("| stories_cloze | acc |", StringComparison.Ordinal));
        Assert.Contains("McNemar exact", accLine);
        Assert.Contains("FAIL: drop", accLine);
        Assert.Contains("significant (p = ", accLine);
        Assert.Matches(@"\d passed, [123] failed\n$", run.Stdout);
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal("3", suite.Attribute("tests")!.Value);
        Assert.Contains(suite.Elements("testcase"), t => t.Attribute("name")!.Value == "acc" && t.Element("failure") is not null);
    }

    [SkippableFact]
    public void Noise_level_weight_changes_pass()
    {
        // 5% noise changes some predictions (discordant pairs exist) without a significant drop.
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", runs.SweepResults("step-1000"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3 passed, 0 failed", run.Stdout);
        Assert.DoesNotContain("McNemar exact (b=0, c=0)", run.Stdout);
    }

    [SkippableFact]
    public void A_tolerance_larger_than_the_drop_lets_the_damaged_model_pass()
    {
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", runs.SweepResults("step-50"), "--tolerance", "100%");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("within tolerance", run.Stdout);
    }

    [SkippableFact]
    public void Different_settings_cannot_be_compared()
    {
        var run = CliRun.InProcess("check", "--baseline", Cloze(runs.Baseline), "--current", runs.OtherLimit);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("stories_cloze: different setting limit null vs 30 (baseline vs current)", run.Stdout);
    }

    [SkippableFact]
    public void A_baseline_for_other_tasks_cannot_be_compared()
    {
        string junit = Path.Combine(runs.Root, "junit-tasks.xml");
        var run = CliRun.InProcess("check", "--baseline", runs.Baseline, "--current", runs.SameWeights, "--junit", junit);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("different tasks: the baseline has arc_easy, mmlu, the current results do not", run.Stdout);
        Assert.NotNull(XDocument.Load(junit).Descendants("error").SingleOrDefault());
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
        File.WriteAllText(config, """{ "models": [], "check": { "alpha": 0.01, "tolerances": { "stories_cloze.acc": "50%", "*": "0.01" } } }""");
        var run = CliRun.InProcess("check", "--config", config, "--baseline", RunResults.Result(runs.Baseline, StoryClozeTask.Name),
            "--current", runs.SweepResults("step-50"));
        Assert.True(run.ExitCode == 1, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.Contains("| 50% |", lines.Single(l => l.StartsWith("| stories_cloze | acc |", StringComparison.Ordinal)));
        Assert.Contains("pass: drop 0.3667 within tolerance 0.4000", lines.Single(l => l.StartsWith("| stories_cloze | acc |", StringComparison.Ordinal)));
        Assert.Contains("FAIL", lines.Single(l => l.StartsWith("| stories_cloze | acc_norm |", StringComparison.Ordinal)));
        Assert.Contains("significance level 0.0100", run.Stdout);
    }
}

/// <summary>Sweep ordering and outputs on the real checkpoint series.</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class SweepTests(EvaluatedRuns runs)
{
    [SkippableFact]
    public void Sweep_orders_checkpoints_by_step_not_by_name_and_writes_the_plot()
    {
        var lines = File.ReadAllLines(Path.Combine(runs.Sweep, "sweep.csv"));
        Assert.Equal(["step-50,50,409600", "step-200,200,1638400", "step-1000,1000,8192000"], lines.Skip(1).Select(l => string.Join(",", l.Split(',').Take(3))));
        Assert.True(new FileInfo(Path.Combine(runs.Sweep, "sweep.png")).Length > 10_000);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(runs.Sweep, "sweep.svg")));
        Assert.True(File.Exists(Path.Combine(runs.Sweep, "leaderboard.html")));
        Assert.Contains("| step-1000 | 1000 | 8,192,000 | 0.7833 ± 0.0536 |", runs.SweepRun.Stdout);
    }

    [SkippableFact]
    public void Trainer_state_overrides_the_name_and_gives_tokens()
    {
        string dir = Path.Combine(runs.Root, "ordered");
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
    }
}
