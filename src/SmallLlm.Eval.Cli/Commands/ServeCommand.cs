using System.CommandLine;
using System.Runtime.InteropServices;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Serve;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval serve</c>: the engine behind an OpenAI-compatible completions API.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var dtype = ModelOptions.DType();
        var tokenizer = ModelOptions.Tokenizer();
        var backend = ModelBackends.BackendOption();
        var fast = ModelBackends.FastOption();
        var host = new Option<string>("--host") { Description = "Address to bind (loopback by default: the server has no authentication).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port; 0 picks a free one (the bound URL is printed).", DefaultValueFactory = _ => 8000 };
        var name = new Option<string?>("--served-model-name") { Description = "Model name reported by /v1/models (default: the model's name)." };
        var maxBatch = new Option<int>("--max-batch-tokens") { Description = "Most tokens scored in one forward batch across concurrent requests.", DefaultValueFactory = _ => 4096 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most sequences waiting for the engine; beyond it requests are answered 429.", DefaultValueFactory = _ => 1024 };
        var shutdownAfter = new Option<double>("--shutdown-after") { Description = "Stop by itself after this many seconds (0: run until Ctrl+C or SIGTERM); for scripts and tests that must not leave a server behind.", DefaultValueFactory = _ => 0 };
        var command = new Command("serve", "Serve a model over an OpenAI-compatible API (POST /v1/completions with echo/logprobs, GET /v1/models, POST /tokenize and /detokenize, GET /health). Ctrl+C stops it after requests in flight finish.")
        {
            model, dtype, tokenizer, backend, fast, host, port, name, maxBatch, maxQueue, shutdownAfter,
        };
        command.SetAction(parse =>
        {
            var spec = ModelSpec.Parse(parse.GetValue(model)!);
            if (parse.GetValue(port) is < 0 or > 65535) throw new ArgumentException($"--port {parse.GetValue(port)}: expected 0..65535");
            if (parse.GetValue(maxBatch) < 1) throw new ArgumentException("--max-batch-tokens must be at least 1");
            if (parse.GetValue(maxQueue) < 1) throw new ArgumentException("--max-queue must be at least 1");
            if (!(parse.GetValue(shutdownAfter) >= 0)) throw new ArgumentException("--shutdown-after must be >= 0 seconds");
            if (!System.Net.IPAddress.TryParse(parse.GetValue(host) == "localhost" ? "127.0.0.1" : parse.GetValue(host), out _))
                throw new ArgumentException($"--host '{parse.GetValue(host)}': expected an IP address such as 127.0.0.1 or 0.0.0.0");
            using var loaded = ModelBackends.OpenEngine(spec, parse.GetValue(backend)!, parse.GetValue(fast),
                ModelOptions.ResolveDType(parse.GetValue(dtype)!, spec.Argument).DType, parse.GetValue(tokenizer), parse.GetValue(name));
            string served = loaded.Engine.ModelName;
            var server = new CompletionServer(loaded.Engine, new ServeOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                MaxBatchTokens = parse.GetValue(maxBatch),
                MaxQueue = parse.GetValue(maxQueue),
            });
            server.StartAsync().GetAwaiter().GetResult();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"smalleval serve: {served} listening on {server.Url} (POST {server.Url}/v1/completions)");
            output.Flush();
            using var stop = new ManualResetEventSlim();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
            if (parse.GetValue(shutdownAfter) is > 0 and var seconds) stop.Wait(TimeSpan.FromSeconds(seconds));
            else stop.Wait();
            parse.InvocationConfiguration.Error.WriteLine("smalleval serve: stopping after requests in flight");
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}
