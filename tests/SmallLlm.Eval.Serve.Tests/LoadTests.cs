using System.Net;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>The server under many clients: every request answered once or refused, memory bounded, the server up.</summary>
public class LoadTests
{
    [Fact]
    public async Task Sixty_four_clients_times_twenty_requests_are_each_answered_once_or_429()
    {
        // A queue smaller than the clients: some requests must be refused, none may be lost or answered twice.
        await using var s = await LoopbackServer.StartAsync(new ServeOptions { MaxQueue = 32, MaxBatchTokens = 512 });
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
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
}
