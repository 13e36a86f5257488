using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>The server under many clients, and the client when the server dies and comes back.</summary>
public class LoadAndFaultTests
{
    [Fact]
    public async Task Sixty_four_clients_times_twenty_requests_are_each_answered_once_or_429()
    {
        // A queue smaller than the clients: some requests must be refused, none may be lost or answered twice.
        await using var s = await LoopbackServer.StartAsync(new ServeOptions { MaxQueue = 32, MaxBatchTokens = 512 });
        var tok = LocalLanguageModel.ResolveTokenizer("stories260K", null);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        int ok = 0, refused = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        await Task.WhenAll(Enumerable.Range(0, 64).Select(client => Task.Run(async () =>
        {
            for (int r = 0; r < 20; r++)
            {
                int[] prompt = [1, 260 + client, 340 + r, 400 + (client * 20 + r) % 100];
                string body = JsonSerializer.Serialize(new { prompt, max_tokens = 0, echo = true, logprobs = 1 });
                using var response = await s.Http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"), deadline.Token);
                string text = await response.Content.ReadAsStringAsync(deadline.Token);
                if (response.StatusCode == HttpStatusCode.TooManyRequests) { Interlocked.Increment(ref refused); continue; }
                Assert.True(response.StatusCode == HttpStatusCode.OK, text);
                var choice = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0];
                // The answer is for this request's prompt: its own tokens echoed, one log-probability per token.
                Assert.Equal(tok.Decode(prompt), choice.GetProperty("text").GetString());
                Assert.Equal(prompt.Length, choice.GetProperty("logprobs").GetProperty("token_logprobs").GetArrayLength());
                seen.AddOrUpdate($"{client}/{r}", 1, (_, n) => n + 1);
                Interlocked.Increment(ref ok);
            }
        }, deadline.Token)));
        Assert.Equal(64 * 20, ok + refused);
        Assert.Equal(ok, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.True(ok > 0);
        Assert.True(s.Server.Queue.BatchedSequences >= ok); // every answered request went through the engine queue
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync("/health")).StatusCode); // still up
        long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(memoryAfter - memoryBefore < 200L << 20, $"managed memory grew by {(memoryAfter - memoryBefore) >> 20} MiB");
    }

    /// <summary>`smalleval serve` as a real process on a fixed loopback port (so that it can come back on it); it stops by itself after 10 minutes even if the test host dies.</summary>
    private static Process StartServer(int port)
    {
        var p = CliRun.StartProcess(["serve", "--model", "stories260K", "--port", port.ToString(), "--shutdown-after", "600"]);
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(90)) || line.Result is null || !line.Result.Contains($"127.0.0.1:{port}"))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"serve did not start: {line.Result} {p.StandardError.ReadToEnd()}");
        }
        return p;
    }

    [Fact]
    public async Task Server_killed_mid_run_fails_clearly_then_the_run_resumes_from_the_cache()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-fault-").FullName;
        int port = RemoteBackendTests.FreePort();
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
            while (CacheRows.Count(cache) < 8 && !run.IsCompleted && watch.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(20);
            Assert.False(run.IsCompleted, "the run finished before the server could be killed: " + (run.IsCompleted ? (await run).ToString() : ""));
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            var failed = await run.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(2, failed.ExitCode);
            Assert.Contains($"127.0.0.1:{port}/v1/completions: no answer after 2 retries", failed.Stderr);
            long kept = CacheRows.Count(cache);
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
