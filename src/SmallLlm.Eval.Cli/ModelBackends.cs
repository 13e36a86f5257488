using System.CommandLine;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.LlamaCpp;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Serve;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// The one model loader: a <see cref="ModelSpec"/> (parsed once from <c>--model</c>) and the loading options go in, a
/// model comes out, on the engine that runs it: a GGUF file (or <c>--backend llamacpp</c>) on llama.cpp, a remote server
/// over HTTP, everything else on the built-in TorchSharp engine. Tasks get an <see cref="ILanguageModel"/>
/// (<see cref="Load"/>); token-level commands (serve, generate, model logprobs) an <see cref="ICompletionEngine"/>
/// (<see cref="OpenEngine"/>). The one place that knows every backend.
/// </summary>
public static class ModelBackends
{
    public const string Torch = "torch";
    public const string LlamaCpp = LlamaCppLanguageModel.BackendName;
    public const string RemoteBackend = "openai-completions";

    public static Option<string> BackendOption() => new("--backend")
    {
        Description = "Engine: auto (a .gguf file runs on llama.cpp, anything else on the built-in TorchSharp engine), torch or llamacpp.",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<bool> FastOption() => new("--llamacpp-fast")
    {
        Description = "llama.cpp with its own fast defaults (F16 KV cache, flash attention) instead of the exact F32 KV cache; log-probabilities move by ~1e-2 (recorded in the results).",
    };

    /// <summary>"torch", "llamacpp" or "openai-completions" for this model and --backend value.</summary>
    public static string Choose(ModelSpec spec, string backend) => (spec, backend.ToLowerInvariant()) switch
    {
        (_, not ("auto" or Torch or LlamaCpp)) => throw new ArgumentException($"--backend '{backend}': expected auto, torch or llamacpp"),
        (ModelSpec.Remote, _) => RemoteBackend,
        (ModelSpec.Gguf, Torch) => throw new ArgumentException(
            $"{spec.Argument}: a GGUF file runs on llama.cpp (--backend llamacpp or auto); for the built-in engine convert it: `smalleval convert --from {spec.Argument} --to FOLDER`"),
        (ModelSpec.Gguf, _) => LlamaCpp,
        (_, LlamaCpp) => throw new ArgumentException($"{spec.Argument}: llama.cpp runs a .gguf file; make one with `smalleval convert --from {spec.Argument} --to FILE.gguf`"),
        _ => Torch,
    };

    public static ILanguageModel Load(ModelSpec spec, string backend, bool fast, ModelDType dtype = ModelDType.Float32,
        string? tokenizer = null, int? rollingStride = null, RemoteOptions? remote = null, LocalModelOptions? local = null)
    {
        string engine = Choose(spec, backend);
        if (fast && engine != LlamaCpp) throw new ArgumentException("--llamacpp-fast applies to the llama.cpp backend only");
        if (spec is ModelSpec.Remote r) return LoadRemote(r, remote, dtype, tokenizer, rollingStride);
        if (engine == LlamaCpp)
        {
            CheckGgufOptions(tokenizer, dtype);
            return LlamaCppLanguageModel.Load(spec.Argument, new LlamaCppOptions { Fast = fast }, rollingStride);
        }
        if (spec is ModelSpec.Random) return TaskBenchmark.LoadModel(spec.Argument, dtype, local?.BatchSize ?? "auto");
        return LocalModelLoader.Load(spec.Argument, local ?? new LocalModelOptions { DType = dtype, Tokenizer = tokenizer, RollingStride = rollingStride });
    }

    private static void CheckGgufOptions(string? tokenizer, ModelDType dtype)
    {
        if (tokenizer is not null) throw new ArgumentException("--tokenizer: a GGUF file brings its own vocabulary, llama.cpp uses it");
        if (dtype != ModelDType.Float32) throw new ArgumentException($"--dtype {dtype.Name()}: a GGUF file's precision is its tensor types (use `smalleval quantize`)");
    }

    /// <summary>A model behind an OpenAI-compatible server, with our tokenizer (--tokenizer, or the bundled model of that
    /// name) or else the server's own.</summary>
    private static ILanguageModel LoadRemote(ModelSpec.Remote spec, RemoteOptions? remote, ModelDType dtype, string? tokenizer, int? rollingStride)
    {
        remote ??= new RemoteOptions { BaseUrl = spec.Url };
        if (dtype != ModelDType.Float32) throw new ArgumentException($"--dtype {dtype.Name()}: a remote model's precision is the server's");
        string? tokName = tokenizer ?? (remote.Model is string m && Engine.BundledModels.BundledModel.Resolve(m) is { } b ? b.TokenizerName : null);
        // Neither: the server's own tokenizer (/tokenize, /tokenizer_info), refused by name when it has none.
        return RemoteLanguageModel.Connect(remote, tokName is null ? null : Tokenizers.TokenizerCatalog.Resolve(tokName), rollingStride);
    }

    /// <summary>The EvalJob hook: every job loads its model here, whatever the backend.</summary>
    public static Func<EvalJobSpec, ILanguageModel> JobLoader(string backend, bool fast, RemoteOptions? remote = null) =>
        s => Load(ModelSpec.Parse(s.Model), backend, fast, s.DType, s.Tokenizer, s.RollingStride, remote, s.LocalModelOptions);

    private static bool BringsTokenizer(ModelSpec spec)
    {
        try { LocalModelLoader.ResolveTokenizer(spec.Argument, null); return true; }
        catch (ArgumentException) { return false; } // "brings no tokenizer"
    }

    /// <summary>A token-level engine and what must be disposed with it.</summary>
    public sealed record LoadedEngine(ICompletionEngine Engine, ModelSpec Spec, string Backend, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    /// <summary>The model as a token-level engine (scoring token ids, generating from token ids): serve, generate and
    /// model logprobs all open their model here.</summary>
    /// <param name="servedName">The name the engine reports (serve's /v1/models); default the model's display name.</param>
    /// <param name="idsOnly">The caller reads and writes token ids only: a checkpoint without a tokenizer still loads
    /// (<see cref="TokenIdsOnly"/>: text is refused).</param>
    public static LoadedEngine OpenEngine(ModelSpec spec, string backend, bool fast, ModelDType dtype, string? tokenizer, string? servedName = null,
        bool idsOnly = false)
    {
        string engine = Choose(spec, backend);
        if (fast && engine != LlamaCpp) throw new ArgumentException("--llamacpp-fast applies to the llama.cpp backend only");
        if (spec is ModelSpec.Remote)
            throw spec.Lacks("token-level scoring and generation from token ids", "run `smalleval eval` against it, or give the checkpoint or GGUF file the server runs");
        string name = servedName ?? spec.DisplayName;
        if (engine == LlamaCpp)
        {
            CheckGgufOptions(tokenizer, dtype);
            var gguf = LlamaCppModel.Load(spec.Argument, new LlamaCppOptions { Fast = fast });
            return new LoadedEngine(new LlamaCppCompletionEngine(gguf, name), spec, engine, gguf);
        }
        var weights = spec is ModelSpec.Random random ? Engine.Checkpoints.RandomWeights.Create(random.Config, dtype) : Engine.Checkpoints.CheckpointLoader.Load(spec.Argument, dtype);
        var model = new LlamaModel(weights);
        try
        {
            var tok = spec is ModelSpec.Random ? Tokenizers.TokenizerCatalog.Resolve(tokenizer ?? "llama2")
                : idsOnly && tokenizer is null && !BringsTokenizer(spec) ? new TokenIdsOnly(model.Config, spec.Argument)
                : LocalModelLoader.ResolveTokenizer(spec.Argument, tokenizer);
            return new LoadedEngine(new TorchCompletionEngine(model, tok, name), spec, engine, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
