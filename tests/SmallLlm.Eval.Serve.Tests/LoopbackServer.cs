using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>`smalleval serve`'s server in the test process: the bundled stories260K on 127.0.0.1, a free port, stopped on dispose.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    public CompletionServer Server { get; }
    public HttpClient Http { get; }
    private readonly LlamaModel _model;

    private LoopbackServer(CompletionServer server, LlamaModel model)
    {
        Server = server;
        _model = model;
        Http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(120) };
    }

    public static async Task<LoopbackServer> StartAsync(ServeOptions? options = null, string model = "stories260K")
    {
        var engine = new LlamaModel(CheckpointLoader.Load(model, ModelDType.Float32));
        var tok = LocalModelLoader.ResolveTokenizer(model, null);
        var server = new CompletionServer(new TorchCompletionEngine(engine, tok, model), (options ?? new ServeOptions()) with { Host = "127.0.0.1", Port = 0 });
        await server.StartAsync();
        Assert.StartsWith("http://127.0.0.1:", server.Url);
        return new LoopbackServer(server, engine);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _model.Dispose();
    }
}
