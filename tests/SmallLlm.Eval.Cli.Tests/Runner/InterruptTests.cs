using System.Diagnostics;
using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests.Runner;

/// <summary>
/// Ctrl-C on a real `smalleval eval` process (SIGINT sent to it): the first commits the answers computed so far to the
/// request cache, says so and exits 130, and a rerun computes only the rest; a second Ctrl-C aborts at once. Temporary
/// files of a write that never finished are removed when the next run starts.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private readonly string _dir = RepoPaths.Temp("interrupt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Job = ["eval", "--model", "stories260K", "--tasks", "mmlu", "--num-fewshot", "0", "--limit", "10"]; // 2,280 requests: long enough (> 5 s, the progress interval) to be interrupted mid-run
    private const int Requests = 57 * 10 * 4;

    /// <summary>Ctrl-C as a terminal sends it: SIGINT to the process.</summary>
    private static void Interrupt(Process p)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", p.Id.ToString()]) { RedirectStandardError = true })!;
        string why = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -INT {p.Id}: {why}; exited: {p.HasExited}");
    }

    /// <summary>Starts <paramref name="args"/>, sends Ctrl-C once the progress line shows answers computed (every 5 s
    /// when stderr is not a terminal), and checks that it exits 130 saying how many answers it committed: returned.</summary>
    private static long InterruptOnceComputing(string[] args, int total)
    {
        using var p = CliRun.StartProcess(args);
        var log = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        bool Started() { lock (log) return System.Text.RegularExpressions.Regex.IsMatch(log.ToString(), $@"\] [1-9]\d*/{total} requests"); }
        while (!Started() && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
        Assert.False(p.HasExited, "the run ended before it could be interrupted: " + log);
        Interrupt(p);
        Assert.True(p.WaitForExit(60_000), "the run did not stop after Ctrl-C");
        p.WaitForExit(); // flushes the redirected stderr
        string stderr = log.ToString();
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}\n{stderr}");
        var said = System.Text.RegularExpressions.Regex.Match(stderr, @"interrupted: (\d+) answer\(s\) computed in this run are committed to the request cache");
        Assert.True(said.Success, stderr);
        return long.Parse(said.Groups[1].Value);
    }

    [Fact]
    public void First_ctrl_c_commits_what_was_computed_says_so_and_exits_130_and_the_rerun_resumes()
    {
        string db = Path.Combine(_dir, ".cache", "requests.sqlite");
        long committed = InterruptOnceComputing([.. Job, "--output", _dir, "--commit-every", "16"], Requests);
        Assert.InRange(committed, 1, Requests - 1);
        Assert.Equal(committed, RequestCacheRows.Count(db));
        Assert.Empty(Directory.GetFiles(_dir, "mmlu.json", SearchOption.AllDirectories)); // no result for an unfinished run

        var rerun = CliRun.InProcess([.. Job, "--output", _dir]);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var timing = JsonDocument.Parse(File.ReadAllText(RunResults.Result(_dir, "mmlu"))).RootElement.GetProperty("timing");
        Assert.Equal(committed, timing.GetProperty("requests_reused").GetInt64());
        Assert.Equal(Requests - committed, timing.GetProperty("requests_computed").GetInt64());
    }

    [Fact]
    public void Under_shard_ctrl_c_commits_what_was_computed_exits_130_writes_no_manifest_and_the_rerun_finishes_the_shard()
    {
        string db = Path.Combine(_dir, ".cache", "requests.sqlite");
        string[] shardJob = [.. Job, "--shard", "1/2", "--output", _dir];
        long committed = InterruptOnceComputing([.. shardJob, "--commit-every", "16"], Requests / 2); // shard 1/2: the first 1,140 requests
        Assert.InRange(committed, 1, Requests / 2 - 1);
        Assert.Equal(committed, RequestCacheRows.Count(db));
        Assert.False(File.Exists(Path.Combine(_dir, "shard.json")), "an interrupted shard wrote its manifest");

        var rerun = CliRun.InProcess(shardJob);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("shard 1/2: mmlu: requests 0..1139 of 2280 computed", rerun.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir, "shard.json")));
        Assert.Equal(Requests / 2, RequestCacheRows.Count(db));
    }

    [Fact]
    public void A_second_ctrl_c_aborts_at_once()
    {
        string db = Path.Combine(_dir, ".cache", "requests.sqlite");
        // 2,280 requests in one chunk: after the first Ctrl-C the run would finish all of them before stopping.
        using var p = CliRun.StartProcess(["eval", "--model", "stories260K", "--tasks", "mmlu", "--num-fewshot", "0", "--limit", "10", "--output", _dir, "--commit-every", "100000"]);
        var log = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        bool Said(string text) { lock (log) return log.ToString().Contains(text); }
        var clock = Stopwatch.StartNew();
        while (!Said("/2280 requests") && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10); // the run has started
        Assert.False(p.HasExited, "the run ended before it could be interrupted: " + log);
        Interrupt(p);
        while (!Said("Ctrl-C again to abort at once") && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
        Assert.False(p.HasExited, "the run ended before the second Ctrl-C: " + log);
        Interrupt(p);
        Assert.True(p.WaitForExit(60_000), "a second Ctrl-C did not end the run");
        p.WaitForExit();
        Assert.Equal(130, p.ExitCode); // killed by SIGINT: 128 + 2
        Assert.DoesNotContain("interrupted: ", log.ToString()); // it did not wait to commit
        Assert.Equal(0, RequestCacheRows.Count(db));
        Assert.Empty(Directory.GetFiles(_dir, "mmlu.json", SearchOption.AllDirectories)); // no result for an unfinished run
    }

    [Fact]
    public void Temporary_files_of_an_unfinished_write_are_removed_when_the_next_run_starts()
    {
        string folder = Path.Combine(_dir, "stories260K");
        Directory.CreateDirectory(folder);
        string stale = Path.Combine(folder, ".arc_easy.json.2147483.tmp"); // a pid no process has
        string staleSamples = Path.Combine(folder, ".arc_easy.samples.jsonl.2147483.tmp");
        File.WriteAllText(stale, "{ half a fi");
        File.WriteAllText(staleSamples, "{\"doc_id\":");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "arc_easy", "--limit", "2", "--output", _dir);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleSamples));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }
}
