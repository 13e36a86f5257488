using System.CommandLine;
using System.Runtime.InteropServices;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.LlamaCpp;
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
            string modelName = parse.GetValue(model)!;
            string engineName = ModelBackends.Choose(modelName, parse.GetValue(backend)!);
            if (engineName is not (ModelBackends.Torch or ModelBackends.LlamaCpp))
                throw new ArgumentException($"{modelName}: serve runs a local model (the built-in engine or llama.cpp), not a remote one");
            if (parse.GetValue(port) is < 0 or > 65535) throw new ArgumentException($"--port {parse.GetValue(port)}: expected 0..65535");
            if (parse.GetValue(maxBatch) < 1) throw new ArgumentException("--max-batch-tokens must be at least 1");
            if (parse.GetValue(maxQueue) < 1) throw new ArgumentException("--max-queue must be at least 1");
            if (!(parse.GetValue(shutdownAfter) >= 0)) throw new ArgumentException("--shutdown-after must be >= 0 seconds");
            if (!System.Net.IPAddress.TryParse(parse.GetValue(host) == "localhost" ? "127.0.0.1" : parse.GetValue(host), out _))
                throw new ArgumentException($"--host '{parse.GetValue(host)}': expected an IP address such as 127.0.0.1 or 0.0.0.0");
            using var loaded = LoadEngine(modelName, engineName, parse.GetValue(dtype)!, parse.GetValue(tokenizer), parse.GetValue(fast), parse.GetValue(name));
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

    /// <summary>The engine behind the server and what must be disposed with it.</summary>
    private sealed record LoadedEngine(ICompletionEngine Engine, IDisposable Model) : IDisposable
    {
        public void Dispose() => Model.Dispose();
    }

    private static LoadedEngine LoadEngine(string modelName, string engineName, string dtype, string? tokenizer, bool fast, string? servedName)
    {
        string served = servedName ?? BundledModel.Resolve(modelName)?.Name
            ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelName)));
        if (engineName == ModelBackends.LlamaCpp)
        {
            if (tokenizer is not null) throw new ArgumentException("--tokenizer: a GGUF file brings its own vocabulary, llama.cpp uses it");
            if (dtype.ToLowerInvariant() is not ("auto" or "fp32" or "f32" or "float32"))
                throw new ArgumentException($"--dtype {dtype}: a GGUF file's precision is its tensor types (use `smalleval quantize`)");
            var gguf = LlamaCppModel.Load(modelName, new LlamaCppOptions { Fast = fast });
            return new LoadedEngine(new LlamaCppCompletionEngine(gguf, served), gguf);
        }
        if (fast) throw new ArgumentException("--llamacpp-fast applies to the llama.cpp backend only");
        var tok = LocalLanguageModel.ResolveTokenizer(modelName, tokenizer);
        var weights = CheckpointLoader.Load(modelName, ModelOptions.ResolveDType(dtype, modelName).DType);
        var engine = new LlamaModel(weights);
        return new LoadedEngine(new TorchCompletionEngine(engine, tok, served), engine);
    }
}
