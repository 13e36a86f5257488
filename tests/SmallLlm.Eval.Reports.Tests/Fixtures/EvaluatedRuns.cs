using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Plots;
using SmallLlm.Eval.Reports.Sweeps;

namespace SmallLlm.Eval.Reports.Tests.Fixtures;

/// <summary>
/// Real results made once for the test collection by real runs of the harness (<see cref="HarnessRun"/>): stories260K
/// as the baseline, the same weights from a converted folder, a series of noisy checkpoints swept (results, sweep.csv
/// and the sweep plot, as `smalleval sweep` writes them), and a run with another limit. Every gate, leaderboard and
/// plot test reads these files.
/// </summary>
public sealed class EvaluatedRuns : IDisposable
{
    public string Root { get; } = Environment.GetEnvironmentVariable("SMALLEVAL_KEEP_TEST_FILES") == "1"
        ? Path.Combine(Path.GetTempPath(), "smalleval-reports-kept") : Directory.CreateTempSubdirectory("smalleval-reports-").FullName;
    public string TasksDir => Path.Combine(Root, "tasks");
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    /// <summary>stories260K on stories_cloze (60 docs), arc_easy (limit 20) and MMLU (2 subjects × 3).</summary>
    public string Baseline => Path.Combine(Root, "baseline");
    /// <summary>The same weights loaded from a converted Hugging Face folder, on stories_cloze.</summary>
    public string SameWeights => Path.Combine(Root, "same");
    /// <summary>stories260K on stories_cloze with --limit 30: other settings.</summary>
    public string OtherLimit => Path.Combine(Root, "limit30");
    public string Sweep => Path.Combine(Root, "sweep");
    /// <summary>stories260K on tinystories_ppl (5 stories): per-document log-likelihoods for the paired bootstrap.</summary>
    public string Perplexity => Path.Combine(Root, "ppl");
    /// <summary>The step-50 checkpoint (noise of one standard deviation) on tinystories_ppl: a real regression.</summary>
    public string DamagedPerplexity => Path.Combine(Root, "ppl-damaged");
    private string Cache => Path.Combine(Root, "cache.sqlite");

    public EvaluatedRuns()
    {
        StoryClozeTask.Write(TasksDir, SharedFiles.Get("data/perplexity/tinystories/tinystories_sample.txt"));
        PerturbedCheckpoints.Write(Checkpoints);
        HarnessRun.Eval("stories260K", "arc_easy", Baseline, Cache, limit: 20);
        HarnessRun.Eval("stories260K", "mmlu", Baseline, Cache, limit: 3, options: new Dictionary<string, string> { ["subjects"] = "abstract_algebra,anatomy" });
        HarnessRun.Eval("stories260K", StoryClozeTask.Name, Baseline, Cache, tasksDir: TasksDir);
        string converted = Path.Combine(Root, "converted", "stories260K-hf");
        using (var weights = CheckpointLoader.Load("stories260K")) HuggingFaceCheckpoint.Save(weights, converted);
        HarnessRun.Eval(converted, StoryClozeTask.Name, SameWeights, Cache, tasksDir: TasksDir, tokenizer: "tok512");
        HarnessRun.Eval("stories260K", StoryClozeTask.Name, OtherLimit, Cache, limit: 30, tasksDir: TasksDir);
        HarnessRun.Eval("stories260K", "tinystories_ppl", Perplexity, Cache);
        HarnessRun.Eval(Path.Combine(Checkpoints, "step-50"), "tinystories_ppl", DamagedPerplexity, Cache, tokenizer: "tok512");
        var entries = new List<SweepManifest.Entry>();
        foreach (var checkpoint in CheckpointSeries.Find(Checkpoints, tokensPerStep: 8192))
        {
            var results = HarnessRun.Eval(checkpoint.Path, StoryClozeTask.Name, Sweep, Cache, tasksDir: TasksDir, tokenizer: "tok512");
            entries.Add(new SweepManifest.Entry(checkpoint.Name, checkpoint.Step, checkpoint.Tokens, results.ModelId, checkpoint.Path));
        }
        var set = ResultFileReader.Read(Sweep);
        SweepManifest.Write(Sweep, entries, set);
        SweepPlot.Save(entries, set, Path.Combine(Sweep, "sweep"));
    }

    /// <summary>A checkpoint's (latest) run folder in the sweep, e.g. for "step-50".</summary>
    public string SweepResults(string checkpoint) => RunResults.LatestRun(Sweep, checkpoint);

    public void Dispose()
    {
        // SMALLEVAL_KEEP_TEST_FILES=1 keeps the runs, checkpoints and plots to look at after the tests.
        if (Environment.GetEnvironmentVariable("SMALLEVAL_KEEP_TEST_FILES") == "1") return;
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } // a test's open file must not fail the run
    }
}

[CollectionDefinition(Name)]
public sealed class EvaluatedRunsCollection : ICollectionFixture<EvaluatedRuns>
{
    public const string Name = "evaluated runs";
}
