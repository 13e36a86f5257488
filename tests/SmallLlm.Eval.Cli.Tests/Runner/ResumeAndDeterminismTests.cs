using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Cli.Tests.Runner;

/// <summary>
/// `smalleval eval` as a real process: killed with SIGKILL mid-run and run again, it computes only the missing requests
/// and writes exactly the results of an uninterrupted run; two identical runs give identical files apart from timings.
/// </summary>
public class ResumeAndDeterminismTests
{
    // 0-shot MMLU, 4 requests per question, committed to the cache every 32 requests.
    private static string[] Job(int limit) => ["eval", "--model", "stories260K", "--tasks", "mmlu", "--num-fewshot", "0", "--limit", limit.ToString(), "--commit-every", "32"];
    private static int Requests(int limit) => 57 * limit * 4;

    private static JsonNode WithoutTiming(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        node.AsObject().Remove("timing");
        return node;
    }

    [Fact]
    public void Killed_run_resumes_and_ends_identical_to_an_uninterrupted_run()
    {
        string interrupted = "", db = "";
        int limit = 0;
        long done = 0;
        // Killed as soon as the first answers are committed; a run that ends before the kill proves nothing, so it
        // is run again, longer (a fast machine may finish 684 requests between two looks at the cache).
        foreach (int tryLimit in new[] { 3, 10, 40 })
        {
            limit = tryLimit;
            interrupted = RepoPaths.Temp("killed");
            db = Path.Combine(interrupted, ".cache", "requests.sqlite");
            using var p = CliRun.StartProcess([.. Job(limit), "--output", interrupted]);
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var deadline = Stopwatch.StartNew();
            while (RequestCacheRows.Count(db) == 0 && !p.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            p.Kill(entireProcessTree: true); // SIGKILL; nothing happens when it has exited already
            p.WaitForExit();
            done = RequestCacheRows.Count(db);
            bool killedMidRun = p.ExitCode == 128 + 9 && done < Requests(limit);
            if (killedMidRun) break;
            Assert.True(p.ExitCode == 0, $"the run failed before it could be killed: exit {p.ExitCode}");
            done = -1; // it finished before the kill
        }
        Assert.True(done >= 0, "the run finished before it could be killed even with --limit 40: make the job longer");
        Assert.InRange(done, 1, Requests(limit) - 1);
        Assert.Empty(Directory.GetFiles(interrupted, "mmlu.json", SearchOption.AllDirectories)); // no result file for an unfinished run

        string clean = RepoPaths.Temp("clean");
        var resumed = CliRun.AsProcess([.. Job(limit), "--output", interrupted, "--json"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var timing = JsonNode.Parse(resumed.Stdout)![0]!["timing"]!;
        Assert.Equal(done, timing["requests_reused"]!.GetValue<long>());
        Assert.Equal(Requests(limit) - done, timing["requests_computed"]!.GetValue<long>());

        var uninterrupted = CliRun.AsProcess([.. Job(limit), "--output", clean, "--no-cache"]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());
        string a = RunResults.LatestRun(interrupted), b = RunResults.LatestRun(clean);
        Assert.Equal(WithoutTiming(Path.Combine(b, "mmlu.json")).ToJsonString(), WithoutTiming(Path.Combine(a, "mmlu.json")).ToJsonString());
        Assert.Equal(File.ReadAllText(Path.Combine(b, "mmlu.samples.jsonl")), File.ReadAllText(Path.Combine(a, "mmlu.samples.jsonl")));
    }

    [Fact]
    public void The_same_command_twice_gives_identical_results_apart_from_timings()
    {
        string first = RepoPaths.Temp("det1"), second = RepoPaths.Temp("det2");
        string[] job = ["eval", "--model", "stories260K", "--tasks", "arc_easy,piqa", "--limit", "15", "--no-cache"];
        Assert.Equal(0, CliRun.InProcess([.. job, "--output", first]).ExitCode);
        Assert.Equal(0, CliRun.InProcess([.. job, "--output", second]).ExitCode);
        foreach (var task in new[] { "arc_easy", "piqa" })
        {
            Assert.Equal(WithoutTiming(RunResults.Result(first, task)).ToJsonString(), WithoutTiming(RunResults.Result(second, task)).ToJsonString());
            Assert.Equal(File.ReadAllText(RunResults.Samples(first, task)), File.ReadAllText(RunResults.Samples(second, task)));
        }
        // summary.csv: identical but for the run id (the run's start time).
        Assert.Equal(File.ReadAllText(Path.Combine(first, "summary.csv")).Replace(Path.GetFileName(RunResults.LatestRun(first)), "RUN"),
            File.ReadAllText(Path.Combine(second, "summary.csv")).Replace(Path.GetFileName(RunResults.LatestRun(second)), "RUN"));
    }
}
