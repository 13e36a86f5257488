namespace SmallLlm.Eval.Serve;

public sealed record ServeOptions
{
    /// <summary>Loopback unless told otherwise: the server has no authentication.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0: a free port chosen by the system (read it from <see cref="CompletionServer.Url"/>).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>Most tokens scored in one forward batch (micro-batching across concurrent requests).</summary>
    public int MaxBatchTokens { get; init; } = 4096;

    /// <summary>Most sequences waiting for the engine; more are answered 429.</summary>
    public int MaxQueue { get; init; } = 1024;

    /// <summary>Largest request body accepted (bytes).</summary>
    public long MaxBodyBytes { get; init; } = 16 << 20;

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
