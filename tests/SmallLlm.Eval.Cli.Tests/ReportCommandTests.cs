namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// `leaderboard`, `check` and `sweep` as commands: exit codes, what goes to stdout and stderr, files written. What they
/// compute is tested through the reports' API in SmallLlm.Eval.Reports.Tests.
/// </summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("smalleval-report-cli-").FullName;

    [Theory]
    [InlineData("check", "--baseline", "x", "--current")]                           // --current without its value
    [InlineData("check", "--baseline", "x", "--current", "y", "--no-such-option")] // unknown option
    [InlineData("check", "--baseline", "x", "--current", "y", "--alpha", "abc")]   // unparsable value
    [InlineData("check", "--current", "y")]                                        // neither a baseline nor limits
    [InlineData("check", "--current", "y", "--max", "mean_kld=0.1")]               // a limit without its task
    [InlineData("no-such-command")]
    public void Usage_errors_exit_2_not_1(params string[] args)
    {
        var run = CliRun.InProcess(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Stderr);
    }

    [Fact]
    public void Empty_and_missing_results_folders_are_errors_for_leaderboard_and_check()
    {
        var lb = CliRun.InProcess("leaderboard", "--results", _root);
        Assert.True(lb.ExitCode == 2, lb.ToString());
        Assert.Contains($"error: no readable results files under '{_root}'", lb.Stderr);
        Assert.Equal(2, CliRun.InProcess("check", "--baseline", _root, "--current", _root).ExitCode);
        var missing = CliRun.InProcess("leaderboard", "--results", "/nonexistent/results");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);
    }

    [Fact]
    public void A_bad_results_file_is_a_warning_on_stderr_and_with_strict_an_error()
    {
        string results = Path.Combine(_root, "results");
        var eval = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "arc_easy", "--limit", "5", "-o", results, "--no-cache");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        string bad = Path.Combine(results, "bad", "cut.json");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, "{\"schema_version\": 2, \"task\": {");

        var lb = CliRun.InProcess("leaderboard", "--results", results, "-o", Path.Combine(_root, "board.md"));
        Assert.True(lb.ExitCode == 0, lb.ToString());
        Assert.Contains($"warning: skipped {bad}: not valid JSON", lb.Stderr);
        Assert.Contains("| stories260K |", File.ReadAllText(Path.Combine(_root, "board.md")));
        Assert.Empty(Directory.GetFiles(_root, ".*.tmp")); // written to a temporary name and renamed

        var strict = CliRun.InProcess("check", "--baseline", RunResults.LatestRun(results, "stories260K"), "--current", results, "--strict");
        Assert.True(strict.ExitCode == 2, strict.ToString());
        Assert.Contains("cut.json", strict.Stderr);
    }

    [SkippableFact]
    public void Sweep_orders_checkpoints_by_step_not_by_name_and_writes_its_files()
    {
        string tasks = Path.Combine(_root, "tasks"), checkpoints = Path.Combine(_root, "checkpoints"), output = Path.Combine(_root, "sweep");
        StoryClozeTask.Write(tasks, SharedFiles.Get("data/perplexity/tinystories/tinystories_sample.txt"));
        PerturbedCheckpoints.Write(checkpoints);
        var run = CliRun.InProcess("sweep", "--checkpoints", checkpoints, "--tasks", StoryClozeTask.Name, "--tasks-dir", tasks, "--tokenizer", "tok512",
            "--tokens-per-step", "8192", "--limit", "20", "-o", output, "--cache", Path.Combine(_root, "cache.sqlite"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(["step-50,50,409600", "step-200,200,1638400", "step-1000,1000,8192000"], lines.Skip(1).Select(l => string.Join(",", l.Split(',').Take(3))));
        Assert.True(new FileInfo(Path.Combine(output, "sweep.png")).Length > 10_000);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(output, "sweep.svg")));
        Assert.True(File.Exists(Path.Combine(output, "leaderboard.html")));
        Assert.Matches(@"\| step-1000 \| 1000 \| 8,192,000 \| 0\.\d{4} ± 0\.\d{4} \|", run.Stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
