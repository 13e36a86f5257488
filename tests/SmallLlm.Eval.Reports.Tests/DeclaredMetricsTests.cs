using System.Text.Json.Nodes;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>
/// Results schema 2: the gate and the leaderboard read each metric's declared direction instead of guessing from its
/// name; schema-1 files are still read, with the old inference and a warning.
/// </summary>
public sealed class DeclaredMetricsTests
{
    /// <summary>A real tokenizer_compression run of stories260K on a small corpus: its result file and folder.</summary>
    private static (string File, string Dir) Run()
    {
        string root = Path.Combine(Path.GetTempPath(), "smalleval-declared-" + Guid.NewGuid().ToString("N")[..8]);
        string corpus = Path.Combine(root, "corpus");
        Directory.CreateDirectory(corpus);
        File.WriteAllText(Path.Combine(corpus, "a.txt"), "Once upon a time there was a little girl who liked to play in the park with her dog.");
        string output = Path.Combine(root, "base");
        HarnessRun.Eval("stories260K", "tokenizer_compression", output, dataDir: corpus);
        return (Directory.GetFiles(output, "tokenizer_compression.json", SearchOption.AllDirectories).Single(), root);
    }

    /// <summary>The same result with tokens_per_byte scaled (an "improved" tokenizer: fewer tokens per byte).</summary>
    private static string Variant(string file, string dir, string name, double factor, bool asSchema1)
    {
        var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var m = json["metrics"]!["tokens_per_byte"]!;
        m["value"] = m["value"]!.GetValue<double>() * factor;
        if (asSchema1) { json["schema_version"] = 1; json.Remove("metric_declarations"); }
        string folder = Path.Combine(dir, name, "stories260K");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "tokenizer_compression.json");
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })); // settings compare as text
        return path;
    }

    /// <summary>The gate with tolerance 0 everywhere (but the floor) on every metric: the significance test alone decides.</summary>
    private static GateResult Check(string baseline, string current) =>
        QualityGate.Compare(ResultFileReader.Read(baseline), ResultFileReader.Read(current), new GateSettings { AllMetrics = true });

    [Fact]
    public void A_lower_is_better_metric_that_improved_passes_the_gate_with_tolerance_zero()
    {
        var (file, dir) = Run();
        var declared = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.Equal(2, declared["schema_version"]!.GetValue<int>());
        Assert.False(declared["metric_declarations"]!["tokens_per_byte"]!["higher_is_better"]!.GetValue<bool>());
        Assert.True(declared["metric_declarations"]!["bytes_per_token"]!["headline"]!.GetValue<bool>());

        string better = Variant(file, dir, "better", 0.9, asSchema1: false);
        var pass = Check(file, better);
        Assert.True(pass.ExitCode == GateResult.Holds, GateText.Render(pass));
        Assert.Equal("improved", pass.Checks.Single(c => c.Metric == "tokens_per_byte").Reason);

        string worse = Variant(file, dir, "worse", 1.1, asSchema1: false);
        var fail = Check(file, worse);
        Assert.True(fail.ExitCode == GateResult.Regressed, GateText.Render(fail));
        Assert.True(fail.Checks.Single(c => c.Metric == "tokens_per_byte").Failed);
    }

    [Fact]
    public void Schema_1_files_are_still_read_with_inferred_directions_and_a_warning()
    {
        var (file, dir) = Run();
        string old = Variant(file, dir, "old", 1.0, asSchema1: true);
        var set = ResultFileReader.Read(Path.GetDirectoryName(Path.GetDirectoryName(old))!);
        Assert.Contains(set.Warnings, w => w.Contains("schema 1") && w.Contains("inferred"));
        Assert.All(set.Files.Single().Metrics.Values, m => Assert.Null(m.Declared));
        // The old name-based inference (kept for schema 1) treats tokens_per_byte as higher-is-better: the reason for schema 2.
        Assert.False(MetricKinds.LowerIsBetter("tokens_per_byte", set.Files.Single().Metrics["tokens_per_byte"]));
    }

    [Fact]
    public void A_schema_1_baseline_is_judged_by_the_current_runs_declarations()
    {
        var (file, dir) = Run();
        string oldBaseline = Variant(file, dir, "old", 1.0, asSchema1: true);
        string better = Variant(file, dir, "better", 0.9, asSchema1: false);
        var result = Check(oldBaseline, better);
        Assert.True(result.ExitCode == GateResult.Holds, GateText.Render(result));
        Assert.Equal("improved", result.Checks.Single(c => c.Metric == "tokens_per_byte").Reason);
        Assert.Contains(result.Warnings, w => w.StartsWith("baseline: ", StringComparison.Ordinal) && w.Contains("schema 1"));
    }
}
