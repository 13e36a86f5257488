using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace SmallLlm.Eval.Serve;

/// <summary>
/// An OpenAI-compatible completions server (Kestrel, minimal API) over one engine: <c>POST /v1/completions</c>,
/// <c>GET /v1/models</c>, <c>POST /tokenize</c> and <c>/detokenize</c> (vLLM's shapes), <c>GET /health</c>.
/// </summary>
public sealed class CompletionServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EngineQueue _queue;

    public ICompletionEngine Engine { get; }
    public EngineQueue Queue => _queue;

    /// <summary>The bound address, e.g. http://127.0.0.1:41234 (known after <see cref="StartAsync"/>).</summary>
    public string Url { get; private set; } = "";

    public CompletionServer(ICompletionEngine engine, ServeOptions options)
    {
        Engine = engine;
        _queue = new EngineQueue(engine, options.MaxBatchTokens, options.MaxQueue);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Listen(System.Net.IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host), options.Port);
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        _app = builder.Build();
        var parser = new CompletionRequestParser(engine.Tokenizer, engine.VocabSize, engine.ContextLength);
        var service = new CompletionService(engine, _queue);

        _app.MapPost("/v1/completions", async (HttpContext http) =>
            await Answer(http, async body => await service.CompleteAsync(parser.Parse(body))));
        _app.MapGet("/v1/models", () => HttpResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = engine.ModelName, ["object"] = "model", ["owned_by"] = "smalleval", ["max_model_len"] = engine.ContextLength,
            }),
        }));
        _app.MapGet("/health", () => HttpResults.Ok());
        // lm-eval's remote tokenizer (tokenizer_backend=remote) reads this, then encodes eos_token through /tokenize.
        _app.MapGet("/tokenizer_info", () => HttpResults.Json(new JsonObject
        {
            ["eos_token"] = engine.Tokenizer.EosId is int e ? engine.Tokenizer.IdToPiece(e) : null,
            ["bos_token"] = engine.Tokenizer.BosId is int b ? engine.Tokenizer.IdToPiece(b) : null,
            ["pad_token"] = null,
            ["model_max_length"] = engine.ContextLength,
        }));
        // ASP0016 takes the inner handler's Task<JsonObject> for the request delegate's result; Answer writes the response.
#pragma warning disable ASP0016
        _app.MapPost("/tokenize", async (HttpContext http) => await Answer(http, body => Task.FromResult(Tokenize(body))));
        _app.MapPost("/detokenize", async (HttpContext http) => await Answer(http, body => Task.FromResult(Detokenize(body))));
#pragma warning restore ASP0016
    }

    public async Task StartAsync()
    {
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>Stops listening, lets requests in flight finish, then stops the engine thread.</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        _queue.Dispose();
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task Answer(HttpContext http, Func<byte[], Task<JsonObject>> handle)
    {
        JsonObject result;
        int status = 200;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            result = await handle(buffer.ToArray());
        }
        catch (ApiException e)
        {
            status = e.Status;
            result = Error(e.Message, e.Type, e.Param, status);
        }
        catch (BadHttpRequestException e) // body over the size limit
        {
            status = e.StatusCode;
            result = Error(e.Message, "invalid_request_error", null, status);
        }
        catch (ArgumentException e) // the engine refused the tokens
        {
            status = 400;
            result = Error(e.Message, "invalid_request_error", null, status);
        }
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(result, http.RequestAborted);
    }

    private static JsonObject Error(string message, string type, string? param, int code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    private JsonObject Tokenize(byte[] body)
    {
        using var doc = ParseObject(body);
        var root = doc.RootElement;
        if (!root.TryGetProperty("prompt", out var p) || p.ValueKind != JsonValueKind.String)
            throw ApiException.BadRequest("prompt must be a string", "prompt");
        bool special = !root.TryGetProperty("add_special_tokens", out var a) || a.ValueKind != JsonValueKind.False;
        string text = p.GetString()!;
        // The exact text of BOS/EOS is that control token (as vLLM's tokenizers parse special tokens); other text never is.
        var tok = Engine.Tokenizer;
        var ids = tok.EosId is int eos && text == tok.IdToPiece(eos) ? [eos]
            : tok.BosId is int bosId && text == tok.IdToPiece(bosId) ? [bosId] : tok.Encode(text);
        int[] tokens = special && Engine.Tokenizer.BosId is int bos ? [bos, .. ids] : [.. ids];
        return new JsonObject
        {
            ["count"] = tokens.Length,
            ["max_model_len"] = Engine.ContextLength,
            ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()),
        };
    }

    private JsonObject Detokenize(byte[] body)
    {
        using var doc = ParseObject(body);
        if (!doc.RootElement.TryGetProperty("tokens", out var t) || t.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest("tokens must be a list of token ids", "tokens");
        var ids = new List<int>();
        foreach (var item in t.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0 || id >= Engine.VocabSize)
                throw ApiException.BadRequest($"tokens[{ids.Count}] is not a token id in [0, {Engine.VocabSize}): {item.GetRawText()}", "tokens");
            ids.Add(id);
        }
        return new JsonObject { ["prompt"] = Engine.Tokenizer.Decode(ids) };
    }

    private static JsonDocument ParseObject(byte[] body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException e) { throw ApiException.BadRequest($"the body is not valid JSON: {e.Message}"); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw ApiException.BadRequest("the body must be a JSON object");
        }
        return doc;
    }
}
