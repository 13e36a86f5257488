using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>
/// The gate does not cry wolf: a run that differs from its baseline only by float noise (1e-7 relative, what another
/// engine or machine gives) passes with the bundled config, on every metric; a real regression still fails.
/// </summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class GateFloorTests(EvaluatedRuns runs)
{
    private string Ppl => RunResults.Result(runs.Perplexity, "tinystories_ppl");

    private string NoisyCopy(double relative) => NoisyRun.Copy(Ppl, Path.Combine(runs.Root, "noisy-" + Guid.NewGuid().ToString("N")[..6]), relative);

    [SkippableFact]
    public void A_run_with_float_noise_in_every_value_passes_every_metric_with_the_bundled_config()
    {
        var settings = GateTests.RepositorySettings with { AllMetrics = true };
        var result = GateTests.Check(Ppl, NoisyCopy(1e-7), settings);
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Holds, text);
        Assert.Equal(5, result.Checks.Count); // word, token and byte perplexity, bits per byte, nll per token
        Assert.All(result.Checks, c => Assert.True(c.Delta > 0 && !c.Failed, text)); // every metric moved the wrong way, and holds
        Assert.All(result.Checks, c => Assert.Contains("differences within the floor tied", c.Test));
        Assert.All(result.Checks, c => Assert.Equal(1.0, c.PValue));
    }

    [SkippableFact]
    public void Without_the_floor_the_same_noise_is_a_significant_drop()
    {
        // The floor is what holds: with none and a zero tolerance, a consistent 1e-7 worsening of every document is a "regression".
        var settings = new GateSettings { RelativeFloor = 0, AllMetrics = true };
        var result = GateTests.Check(Ppl, NoisyCopy(1e-7), settings);
        Assert.True(result.ExitCode == GateResult.Regressed, GateText.Render(result));
    }

    [SkippableFact]
    public void A_real_regression_in_perplexity_still_fails_with_the_bundled_config()
    {
        var result = GateTests.Check(Ppl, RunResults.Result(runs.DamagedPerplexity, "tinystories_ppl"));
        string text = GateText.Render(result);
        Assert.True(result.ExitCode == GateResult.Regressed, text);
        var check = Assert.Single(result.Checks); // the headline only, by default
        Assert.Equal("word_perplexity", check.Metric);
        Assert.Contains("paired bootstrap (5 docs", check.Test);
        Assert.Equal("*.log_likelihood in " + GateTests.RepositorySettings.Origin, check.ToleranceOrigin);
    }

    [SkippableFact]
    public void Every_metric_is_gated_with_all_metrics_and_only_the_headline_without()
    {
        var headline = GateTests.Check(Ppl, NoisyCopy(1e-7));
        Assert.Equal(["word_perplexity"], headline.Checks.Select(c => c.Metric));
        var all = GateTests.Check(Ppl, NoisyCopy(1e-7), GateTests.RepositorySettings with { AllMetrics = true });
        Assert.Equal(["bits_per_byte", "byte_perplexity", "nll_per_token", "token_perplexity", "word_perplexity"], all.Checks.Select(c => c.Metric));
    }

    [SkippableFact]
    public void The_report_states_where_each_tolerance_came_from_and_names_the_model()
    {
        string text = GateText.Render(GateTests.Check(RunResults.Result(runs.Baseline, StoryClozeTask.Name), runs.SameWeights));
        Assert.Contains($"  stories_cloze.acc: 0.02, from *.acc in {GateTests.RepositorySettings.Origin}\n", text);
        Assert.Matches(@"\n\| stories260K-\S* \| stories_cloze \| acc \|", text); // the current model, by name
        var floor = GateText.Render(GateTests.Check(Ppl, NoisyCopy(1e-7), new GateSettings()));
        Assert.Contains("  tinystories_ppl.word_perplexity: 0.01%, from floor 1e-4 relative (configured 0: default (none configured))\n", floor);
    }
}

/// <summary>The tolerance rule, Holm's correction and the detectable difference against figures computed by hand.</summary>
public sealed class GateArithmeticTests
{
    private static ResultMetric PerUnit(double value) => new(value, null, 5) { Declared = new DeclaredMetric(false, "corpus_loglikelihood_per_unit", false, "bytes", false) };

    [Theory]
    [InlineData(1.049, false)]
    [InlineData(1.051, true)]
    public void Byte_perplexity_and_bits_per_byte_share_one_tolerance(double perplexityRatio, bool beyond)
    {
        // The same change of the model, seen as byte perplexity (×ratio) and as bits per byte (+log2 ratio): both pass or both fail at 5%.
        var settings = new GateSettings { Tolerances = new Dictionary<string, Tolerance> { ["*.log_likelihood"] = Tolerance.Parse("5%", "test") } };
        double bpb = 1.7, bytePpl = Math.Pow(2, bpb);
        var ppl = ToleranceRule.For(settings, "t", "byte_perplexity", PerUnit(bytePpl), isProportion: false);
        var bits = ToleranceRule.For(settings, "t", "bits_per_byte", PerUnit(bpb), isProportion: false);
        var nats = ToleranceRule.For(settings, "t", "nll_per_byte", PerUnit(bpb * Math.Log(2)), isProportion: false);
        Assert.Equal(beyond, bytePpl * perplexityRatio - bytePpl > ppl.AllowedDrop);
        Assert.Equal(beyond, Math.Log2(perplexityRatio) > bits.AllowedDrop);
        Assert.Equal(beyond, Math.Log(perplexityRatio) > nats.AllowedDrop);
        Assert.Equal(Math.Log(1.05), nats.AllowedDrop, 15);
    }

    [Fact]
    public void The_floor_raises_a_zero_tolerance_of_a_continuous_metric_but_not_of_a_proportion()
    {
        var zero = new GateSettings { Tolerances = new Dictionary<string, Tolerance> { ["*"] = Tolerance.Parse("0", "test") } };
        Assert.Equal(23.4 * 1e-4, ToleranceRule.For(zero, "t", "word_perplexity", PerUnit(23.4), false).AllowedDrop, 12);
        Assert.StartsWith("floor 1e-4 relative", ToleranceRule.For(zero, "t", "word_perplexity", PerUnit(23.4), false).Origin);
        Assert.Equal(0, ToleranceRule.For(zero, "t", "acc", new ResultMetric(0.5, 0.05, 100), true).AllowedDrop);
        Assert.Equal(0.5 * 1e-4, ToleranceRule.For(zero, "kld", "mean_kld", new ResultMetric(0.5, null, 100), false).AllowedDrop, 12);
    }

    [Fact]
    public void Holm_adjusts_as_the_step_down_definition_says()
    {
        // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04, then the running maximum: 0.02, 0.03, 0.06, 0.06.
        double[] adjusted = HolmCorrection.Adjust([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(p => Math.Round(p, 12)));
        Assert.Equal([1.0], HolmCorrection.Adjust([1.0]));
        Assert.Equal([1.0, 1.0], HolmCorrection.Adjust([0.6, 0.7]));
    }

    [Fact]
    public void The_detectable_difference_is_2_80_combined_standard_errors_at_alpha_0_05()
    {
        // z(0.975) = 1.959964, z(0.8) = 0.841621 (standard normal tables).
        Assert.Equal(1.959964, DetectableDifference.NormalQuantile(0.975), 5);
        Assert.Equal(0.841621, DetectableDifference.NormalQuantile(0.8), 5);
        Assert.Equal(2.801585 * Math.Sqrt(0.03 * 0.03 + 0.04 * 0.04), DetectableDifference.At(0.05, 0.03, 0.04)!.Value, 5);
        Assert.Null(DetectableDifference.At(0.05, null, 0.04));
    }
}
