using System.Diagnostics;

namespace SmallLlm.Eval.Cli.Tests.Serve;

/// <summary>`smalleval serve` killed while `eval --model openai-completions:...` runs against it: the client retries, then
/// fails naming the URL; the server restarted, the run resumes from the request cache and equals an uninterrupted one.</summary>
public class ServeFaultTests
{
    private static Process StartServer(int port) => ServeProcess.Start("stories260K", port).Process;

    [Fact]
    public async Task Server_killed_mid_run_fails_clearly_then_the_run_resumes_from_the_cache()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-fault-").FullName;
        int port = LoopbackPort.Free();
        string model = $"openai-completions:http://127.0.0.1:{port}/v1";
        string[] args = ["eval", "--model", model, "--remote-model", "stories260K", "--tasks", "arc_easy", "--limit", "50",
            "--prompts-per-request", "2", "--concurrency", "1", "--commit-every", "4", "--max-retries", "2"];
        var server = StartServer(port);
        try
        {
            string output = Path.Combine(root, "interrupted");
            string cache = Path.Combine(output, ".cache", "requests.sqlite");
            var run = Task.Run(() => CliRun.InProcess([.. args, "-o", output]));
            var watch = Stopwatch.StartNew();
            while (RequestCacheRows.Count(cache) < 8 && !run.IsCompleted && watch.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(20);
            Assert.False(run.IsCompleted, "the run finished before the server could be killed: " + (run.IsCompleted ? (await run).ToString() : ""));
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            var failed = await run.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(2, failed.ExitCode);
            Assert.Contains($"127.0.0.1:{port}/v1/completions: no answer after 2 retries", failed.Stderr);
            long kept = RequestCacheRows.Count(cache);
            Assert.InRange(kept, 8, 199);

            server = StartServer(port);
            var resumed = CliRun.InProcess([.. args, "-o", output, "--json"]);
            Assert.True(resumed.ExitCode == 0, resumed.ToString());
            var timing = resumed.Json()[0].GetProperty("timing");
            Assert.True(timing.GetProperty("requests_reused").GetInt32() >= kept, timing.ToString());

            var uninterrupted = CliRun.InProcess([.. args, "-o", Path.Combine(root, "clean"), "--no-cache"]);
            Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());
            SampleComparison.AssertSame(Path.Combine(RunResults.LatestRun(Path.Combine(root, "clean")), "arc_easy.samples.jsonl"),
                Path.Combine(RunResults.LatestRun(output), "arc_easy.samples.jsonl"));
        }
        finally
        {
            if (!server.HasExited) { server.Kill(entireProcessTree: true); server.WaitForExit(); }
            server.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }
}
