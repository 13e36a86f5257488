namespace SmallLlm.Eval.Remote;

/// <summary>How to reach an OpenAI-compatible completions server and how hard to push it.</summary>
public sealed record RemoteOptions
{
    /// <summary>The API root, e.g. http://127.0.0.1:8000/v1 (requests go to {BaseUrl}/completions).</summary>
    public required string BaseUrl { get; init; }

    /// <summary>Model name sent in requests; null: the first model the server lists.</summary>
    public string? Model { get; init; }

    /// <summary>Sent as a bearer token; never written to logs, results or the cache key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Prompts per HTTP request.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Per-attempt timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after the first attempt on 429, 5xx, connection failures and timeouts.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First backoff delay (doubles each retry, with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The model's context when the server does not report max_model_len.</summary>
    public int? ContextLength { get; init; }

    public static string PrefixName => "openai-completions:";

    /// <summary>True for a --model value that names a server ("openai-completions:http://host:port/v1").</summary>
    public static bool IsRemote(string model) => model.StartsWith(PrefixName, StringComparison.OrdinalIgnoreCase);

    public static string UrlOf(string model) => model[PrefixName.Length..].TrimEnd('/');
}
