using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace SmallLlm.Eval.Remote;

/// <summary>
/// POSTs JSON to an OpenAI-compatible server with retries (exponential backoff with jitter on 429, 5xx, connection
/// failures and timeouts) and a per-attempt timeout. Other 4xx answers are the caller's mistake and fail at once with
/// the server's message.
/// </summary>
public sealed class CompletionsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RemoteOptions _options;

    /// <summary>Attempts that were retried (for tests and the run log).</summary>
    public int Retries => _retries;
    private int _retries;

    public CompletionsClient(RemoteOptions options)
    {
        _options = options;
        _http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.ApiKey))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.Timeout)
            .Build();
        if (options.MaxRetries == 0) _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddTimeout(options.Timeout).Build();
    }

    /// <summary>POSTs to {BaseUrl}{path}.</summary>
    public Task<JsonNode> PostAsync(string path, JsonObject body, CancellationToken cancel = default) => PostAbsoluteAsync(_options.BaseUrl + path, body, cancel);

    /// <summary>GETs {BaseUrl}{path}.</summary>
    public Task<JsonNode> GetAsync(string path, CancellationToken cancel = default) => GetAbsoluteAsync(_options.BaseUrl + path, cancel);

    /// <summary>POSTs to a URL on the same server outside the API root (vLLM's /tokenize lives at the server's root).</summary>
    public async Task<JsonNode> PostAbsoluteAsync(string url, JsonObject body, CancellationToken cancel = default)
    {
        string text = body.ToJsonString();
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(async ct =>
                await _http.PostAsync(url, new StringContent(text, Encoding.UTF8, "application/json"), ct), cancel);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new RemoteModelException($"{url}: no answer after {_options.MaxRetries} retries ({e.GetType().Name}: {e.Message})", e);
        }
        return await Read(response, url);
    }

    public async Task<JsonNode> GetAbsoluteAsync(string url, CancellationToken cancel = default)
    {
        HttpResponseMessage response;
        try { response = await _pipeline.ExecuteAsync(async ct => await _http.GetAsync(url, ct), cancel); }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new RemoteModelException($"{url}: no answer after {_options.MaxRetries} retries ({e.GetType().Name}: {e.Message})", e);
        }
        return await Read(response, url);
    }

    private async Task<JsonNode> Read(HttpResponseMessage response, string url)
    {
        using (response)
        {
            string content = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                string reason = ErrorText(content);
                string retried = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500 ? $" after {_options.MaxRetries} retries" : "";
                throw new RemoteModelException($"{url}: HTTP {(int)response.StatusCode}{retried}: {Truncate(reason, 400)}");
            }
            try { return JsonNode.Parse(content) ?? throw new JsonException("empty body"); }
            catch (JsonException e) { throw new RemoteModelException($"{url}: the answer is not JSON ({e.Message}): {Truncate(content, 200)}"); }
        }
    }

    /// <summary>The server's reason from an error body in any of the shapes servers use: OpenAI and vLLM
    /// <c>{"error": {"message": ...}}</c>, TGI <c>{"error": "...", "error_type": ...}</c>, FastAPI <c>{"detail": ...}</c>,
    /// <c>{"message": ...}</c>; else the body as text.</summary>
    public static string ErrorText(string content)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(content); }
        catch (JsonException) { return content; }
        if (root is not JsonObject o) return content;
        static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        string? message = o["error"] is JsonObject e ? Text(e["message"]) : Text(o["error"]);
        message ??= Text(o["message"]) ?? Text(o["detail"]) ?? o["detail"]?.ToJsonString();
        if (message is null) return content;
        return Text(o["error_type"]) is string type ? $"{message} ({type})" : message;
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "...";

    public void Dispose() => _http.Dispose();
}
