using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>
/// `smalleval eval` as a real process: killed with SIGKILL mid-run and run again, it computes only the missing requests
/// and writes exactly the results of an uninterrupted run; two identical runs give identical files apart from timings.
/// </summary>
public class ResumeAndDeterminismTests
{
    // 0-shot MMLU, 3 questions per subject: 684 requests, committed to the cache every 32.
    private static readonly string[] Job = ["eval", "--model", "stories260K", "--tasks", "mmlu", "--num-fewshot", "0", "--limit", "3", "--commit-every", "32"];
    private const int Requests = 57 * 3 * 4;

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smalleval.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static JsonNode WithoutTiming(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        node.AsObject().Remove("timing");
        return node;
    }

    [Fact]
    public void KilledRunResumesAndEndsIdenticalToAnUninterruptedRun()
    {
        string interrupted = RepoPaths.Temp("killed"), clean = RepoPaths.Temp("clean");
        string db = Path.Combine(interrupted, ".cache", "requests.sqlite");
        using (var p = Start([.. Job, "--output", interrupted]))
        {
            var deadline = Stopwatch.StartNew();
            while (RequestCacheRows.Count(db) == 0 && !p.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Assert.False(p.HasExited, "the run finished before it could be killed: make the job longer");
            p.Kill(entireProcessTree: true); // SIGKILL
            p.WaitForExit();
        }
        long done = RequestCacheRows.Count(db);
        Assert.InRange(done, 1, Requests - 1);
        Assert.Empty(Directory.GetFiles(interrupted, "mmlu.json", SearchOption.AllDirectories)); // no result file for an unfinished run

        var resumed = CliRun.AsProcess([.. Job, "--output", interrupted, "--json"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var timing = JsonNode.Parse(resumed.Stdout)![0]!["timing"]!;
        Assert.Equal(done, timing["requests_reused"]!.GetValue<long>());
        Assert.Equal(Requests - done, timing["requests_computed"]!.GetValue<long>());

        var uninterrupted = CliRun.AsProcess([.. Job, "--output", clean, "--no-cache"]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());
        string a = RunResults.LatestRun(interrupted), b = RunResults.LatestRun(clean);
        Assert.Equal(WithoutTiming(Path.Combine(b, "mmlu.json")).ToJsonString(), WithoutTiming(Path.Combine(a, "mmlu.json")).ToJsonString());
        Assert.Equal(File.ReadAllText(Path.Combine(b, "mmlu.samples.jsonl")), File.ReadAllText(Path.Combine(a, "mmlu.samples.jsonl")));
    }

    [Fact]
    public void TheSameCommandTwiceGivesIdenticalResultsApartFromTimings()
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
