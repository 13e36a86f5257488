using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>
/// A completions server on 127.0.0.1 that, like many hosted APIs, takes prompts only as text (token ids are a 400) and
/// tokenizes them with its own tokenizer: the real engine and the real request parser and response builder behind a
/// minimal API that refuses token-id prompts.
/// </summary>
public sealed class TextOnlyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EngineQueue _queue;
    private readonly LlamaModel _model;

    public string Url { get; }

    private TextOnlyServer(WebApplication app, EngineQueue queue, LlamaModel model, string url)
    {
        _app = app;
        _queue = queue;
        _model = model;
        Url = url;
    }

    public static async Task<TextOnlyServer> StartAsync(ITextTokenizer serverTokenizer, string model = "stories260K")
    {
        var llama = new LlamaModel(CheckpointLoader.Load(model, ModelDType.Float32));
        var engine = new TorchCompletionEngine(llama, serverTokenizer, model);
        var queue = new EngineQueue(engine, maxBatchTokens: 4096, maxQueue: 256);
        var parser = new CompletionRequestParser(serverTokenizer, engine.VocabSize, engine.ContextLength);
        var service = new CompletionService(engine, queue);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/v1/models", () => Microsoft.AspNetCore.Http.Results.Json(new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject { ["id"] = model, ["max_model_len"] = engine.ContextLength }),
        }));
        app.MapPost("/v1/completions", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            using (var doc = JsonDocument.Parse(body))
                if (doc.RootElement.GetProperty("prompt") is { ValueKind: JsonValueKind.Array } p && p.GetArrayLength() > 0
                    && p[0].ValueKind is JsonValueKind.Number or JsonValueKind.Array)
                {
                    http.Response.StatusCode = 400;
                    await http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = "prompt must be a string or a list of strings" } });
                    return;
                }
            await http.Response.WriteAsJsonAsync(await service.CompleteAsync(parser.Parse(body)));
        });
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TextOnlyServer(app, queue, llama, url);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _queue.Dispose();
        _model.Dispose();
    }
}

/// <summary>Text split into UTF-8 bytes, each the llama2.c vocabulary's byte token (&lt;0xXX&gt; = 3 + byte): the same
/// model's ids, a different tokenization of the same text.</summary>
public sealed class ByteFallbackTokenizer : ITextTokenizer
{
    public string Name => "bytes-of-tok512";
    public int VocabSize => 512;
    public int? BosId => 1;
    public int? EosId => 2;
    public IReadOnlyList<int> Encode(string text) => System.Text.Encoding.UTF8.GetBytes(text).Select(b => 3 + b).ToArray();
    public string Decode(IReadOnlyList<int> ids) => System.Text.Encoding.UTF8.GetString(ids.Where(i => i is >= 3 and < 259).Select(i => (byte)(i - 3)).ToArray());
    public string IdToPiece(int id) => id is >= 3 and < 259 ? $"<0x{id - 3:X2}>" : id == 1 ? "<s>" : id == 2 ? "</s>" : $"<{id}>";
    public int CountTokens(string text) => System.Text.Encoding.UTF8.GetByteCount(text);
}
