using System.CommandLine;
using SmallLlm.Eval.Remote;

namespace SmallLlm.Eval.Cli;

/// <summary>Options for <c>--model openai-completions:http://HOST:PORT/v1</c> (a model behind an OpenAI-compatible server).</summary>
public sealed class RemoteCliOptions
{
    public Option<string?> RemoteModel { get; } = new("--remote-model") { Description = "openai-completions: the server's model name (default: the first it lists)." };
    public Option<string?> ApiKeyEnv { get; } = new("--api-key-env") { Description = "openai-completions: name of the environment variable holding the API key (the key itself is never logged or stored)." };
    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "openai-completions: HTTP requests in flight at once.", DefaultValueFactory = _ => 4 };
    public Option<int> PromptsPerRequest { get; } = new("--prompts-per-request") { Description = "openai-completions: prompts batched into one HTTP request.", DefaultValueFactory = _ => 16 };
    public Option<double> Timeout { get; } = new("--request-timeout") { Description = "openai-completions: seconds per attempt before it is retried.", DefaultValueFactory = _ => 120 };
    public Option<int> MaxRetries { get; } = new("--max-retries") { Description = "openai-completions: retries (exponential backoff) on 429, 5xx, connection failures and timeouts.", DefaultValueFactory = _ => 5 };
    public Option<int?> ContextLength { get; } = new("--remote-context") { Description = "openai-completions: the model's context length when the server does not report max_model_len." };

    public IEnumerable<Option> All => [RemoteModel, ApiKeyEnv, Concurrency, PromptsPerRequest, Timeout, MaxRetries, ContextLength];

    /// <summary>Settings for a remote --model, or null when the model is local.</summary>
    /// <param name="remoteModel">The server's model name where --remote-model is not given (a config entry's, a sweep's checkpoint).</param>
    /// <param name="apiKeyEnv">The key's variable where --api-key-env is not given.</param>
    public RemoteOptions? Read(ParseResult parse, string model, string? remoteModel = null, string? apiKeyEnv = null)
    {
        if (!RemoteOptions.IsRemote(model)) return null;
        string? keyVar = parse.GetValue(ApiKeyEnv) ?? apiKeyEnv;
        string? key = keyVar is null ? null
            : Environment.GetEnvironmentVariable(keyVar) ?? throw new ArgumentException($"--api-key-env {keyVar}: that environment variable is not set");
        if (parse.GetValue(Concurrency) < 1) throw new ArgumentException("--concurrency must be at least 1");
        if (parse.GetValue(PromptsPerRequest) < 1) throw new ArgumentException("--prompts-per-request must be at least 1");
        if (parse.GetValue(Timeout) <= 0) throw new ArgumentException("--request-timeout must be above 0 seconds");
        if (parse.GetValue(MaxRetries) < 0) throw new ArgumentException("--max-retries must be at least 0");
        string url = RemoteOptions.UrlOf(model);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"--model {model}: expected openai-completions:http://HOST:PORT/v1");
        return new RemoteOptions
        {
            BaseUrl = url,
            Model = parse.GetValue(RemoteModel) ?? remoteModel,
            ApiKey = key,
            Concurrency = parse.GetValue(Concurrency),
            BatchSize = parse.GetValue(PromptsPerRequest),
            Timeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
            MaxRetries = parse.GetValue(MaxRetries),
            ContextLength = parse.GetValue(ContextLength),
        };
    }
}
