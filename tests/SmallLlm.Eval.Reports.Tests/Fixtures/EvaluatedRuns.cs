namespace SmallLlm.Eval.Reports.Tests.Fixtures;

/// <summary>
/// Real results made once for the test collection by real runs of smalleval (in-process): stories260K as the
/// baseline, the same weights from a converted folder, a series of noisy checkpoints swept, and a run with another
/// limit. Every gate, leaderboard and plot test reads these files.
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
    public CliRun SweepRun { get; }
    private string Cache => Path.Combine(Root, "cache.sqlite");

    public EvaluatedRuns()
    {
        StoryClozeTask.Write(TasksDir, SharedFiles.Get("data/perplexity/tinystories/tinystories_sample.txt"));
        PerturbedCheckpoints.Write(Checkpoints);
        Run("eval", "-m", "stories260K", "--tasks", "arc_easy", "--limit", "20", "-o", Baseline, "--cache", Cache);
        Run("eval", "-m", "stories260K", "--tasks", "mmlu", "--limit", "3", "--subjects", "abstract_algebra,anatomy", "-o", Baseline, "--cache", Cache);
        Run("eval", "-m", "stories260K", "--tasks", StoryClozeTask.Name, "--tasks-dir", TasksDir, "-o", Baseline, "--cache", Cache);
        string converted = Path.Combine(Root, "converted", "stories260K-hf");
        Run("convert", "--from", "stories260K", "--to", converted);
        Run("eval", "-m", converted, "--tokenizer", "tok512", "--tasks", StoryClozeTask.Name, "--tasks-dir", TasksDir, "-o", SameWeights, "--cache", Cache);
        Run("eval", "-m", "stories260K", "--tasks", StoryClozeTask.Name, "--tasks-dir", TasksDir, "--limit", "30", "-o", OtherLimit, "--cache", Cache);
        SweepRun = Run("sweep", "--checkpoints", Checkpoints, "--tasks", StoryClozeTask.Name, "--tasks-dir", TasksDir, "--tokenizer", "tok512",
            "--tokens-per-step", "8192", "-o", Sweep, "--cache", Cache);
    }

    /// <summary>A checkpoint's (latest) run folder in the sweep, e.g. for "step-50".</summary>
    public string SweepResults(string checkpoint) => RunResults.LatestRun(Sweep, checkpoint);

    private static CliRun Run(params string[] args)
    {
        var run = CliRun.InProcess(args);
        if (run.ExitCode != 0) throw new InvalidOperationException($"smalleval {string.Join(' ', args)} failed: {run}");
        return run;
    }

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
