using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>How a scripted server departs from the completions API, each as a real server was seen to.</summary>
public enum Fault
{
    /// <summary>llama.cpp's server: <c>echo</c> is ignored, only generated tokens come back (max_tokens 0 generates one).</summary>
    IgnoresEcho,
    /// <summary>No <c>top_logprobs</c> in the answer.</summary>
    OmitsTopLogprobs,
    /// <summary><c>token_logprobs</c> negated: positive values.</summary>
    PositiveLogprobs,
    /// <summary><c>token_logprobs</c> one position early: entry t holds token t+1's value (no leading null).</summary>
    ShiftedLogprobs,
    /// <summary>Every completion answered 500 with TGI's error body (<c>{"error": "...", "error_type": "..."}</c>).</summary>
    Tgi500,
    /// <summary>A <c>token_logprobs</c> entry that is a string, not a number.</summary>
    MalformedLogprob,
}

/// <summary>
/// A scripted server on 127.0.0.1 (a free port) in front of the real `smalleval serve` (<see cref="LoopbackServer"/>): it
/// forwards each request and changes the answer exactly as its <see cref="Fault"/> says; /v1/models, /tokenize and
/// /tokenizer_info pass through. It answers at most <see cref="MaxRequests"/> completions (then 503) and stops on dispose.
/// </summary>
public sealed class MisbehavingServer : IAsyncDisposable
{
    public const int MaxRequests = 200;
    private readonly WebApplication _app;
    private readonly LoopbackServer _real;
    private int _requests;

    public string Url { get; private set; } = "";

    private MisbehavingServer(WebApplication app, LoopbackServer real)
    {
        _app = app;
        _real = real;
    }

    public static async Task<MisbehavingServer> StartAsync(Fault fault)
    {
        var real = await LoopbackServer.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new MisbehavingServer(app, real);
        app.MapGet("/v1/models", (HttpContext http) => Forward(http, real, "/v1/models", null));
        app.MapGet("/tokenizer_info", (HttpContext http) => Forward(http, real, "/tokenizer_info", null));
        app.MapPost("/tokenize", async (HttpContext http) => await Forward(http, real, "/tokenize", await Body(http)));
        app.MapPost("/detokenize", async (HttpContext http) => await Forward(http, real, "/detokenize", await Body(http)));
        app.MapPost("/v1/completions", async (HttpContext http) =>
        {
            if (Interlocked.Increment(ref server._requests) > MaxRequests)
            {
                http.Response.StatusCode = 503;
                return;
            }
            var request = (JsonObject)JsonNode.Parse(await Body(http))!;
            if (fault == Fault.Tgi500)
            {
                http.Response.StatusCode = 500;
                await http.Response.WriteAsync("""{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}""");
                return;
            }
            if (fault == Fault.IgnoresEcho)
            {
                request["echo"] = false;
                if (request["max_tokens"]?.GetValue<int>() == 0) request["max_tokens"] = 1;
            }
            using var response = await real.Http.PostAsync("/v1/completions", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
            string text = await response.Content.ReadAsStringAsync();
            http.Response.StatusCode = (int)response.StatusCode;
            var answer = JsonNode.Parse(text)!;
            if (response.IsSuccessStatusCode)
                foreach (var choice in answer["choices"]!.AsArray())
                    if (choice!["logprobs"] is JsonObject lp) Spoil(lp, fault);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(answer.ToJsonString());
        });
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    private static void Spoil(JsonObject logprobs, Fault fault)
    {
        var values = logprobs["token_logprobs"]!.AsArray();
        switch (fault)
        {
            case Fault.OmitsTopLogprobs:
                logprobs.Remove("top_logprobs");
                break;
            case Fault.PositiveLogprobs:
                for (int i = 0; i < values.Count; i++)
                    if (values[i] is JsonValue v) values[i] = -v.GetValue<double>();
                break;
            case Fault.ShiftedLogprobs:
                var shifted = values.Skip(1).Select(v => v?.DeepClone()).Append(values[^1]?.DeepClone()).ToArray();
                logprobs["token_logprobs"] = new JsonArray(shifted);
                break;
            case Fault.MalformedLogprob:
                if (values.Count > 1) values[1] = "-0.5";
                break;
        }
    }

    private static async Task<string> Body(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        return await reader.ReadToEndAsync();
    }

    private static async Task Forward(HttpContext http, LoopbackServer real, string path, string? body)
    {
        using var response = body is null ? await real.Http.GetAsync(path)
            : await real.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _real.DisposeAsync();
    }
}
