using System.CommandLine;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.LlamaCpp;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// Which engine runs a model: a <c>.gguf</c> path (or <c>--backend llamacpp</c>) goes to llama.cpp, everything else to
/// the built-in TorchSharp engine. The one place that knows both backends.
/// </summary>
public static class ModelBackends
{
    public const string Torch = "torch";
    public const string LlamaCpp = LlamaCppLanguageModel.BackendName;

    public static Option<string> BackendOption() => new("--backend")
    {
        Description = "Engine: auto (a .gguf file runs on llama.cpp, anything else on the built-in TorchSharp engine), torch or llamacpp.",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<bool> FastOption() => new("--llamacpp-fast")
    {
        Description = "llama.cpp with its own fast defaults (F16 KV cache, flash attention) instead of the exact F32 KV cache; log-probabilities move by ~1e-2 (recorded in the results).",
    };

    /// <summary>"torch" or "llamacpp" for this model and --backend value.</summary>
    public static string Choose(string model, string backend) => RemoteOptions.IsRemote(model) ? "openai-completions" : backend.ToLowerInvariant() switch
    {
        "auto" => GgufFile.LooksLikeGguf(model) ? LlamaCpp : Torch,
        Torch => GgufFile.LooksLikeGguf(model)
            ? throw new ArgumentException($"{model}: a GGUF file runs on llama.cpp only (--backend llamacpp or auto); `smalleval convert` reads checkpoints for the built-in engine")
            : Torch,
        LlamaCpp => GgufFile.LooksLikeGguf(model) || File.Exists(model) ? LlamaCpp
            : throw new ArgumentException($"{model}: llama.cpp runs a .gguf file; make one with `smalleval convert --from {model} --to FILE.gguf`"),
        _ => throw new ArgumentException($"--backend '{backend}': expected auto, torch or llamacpp"),
    };

    public static ILanguageModel Load(string model, string backend, bool fast, ModelDType dtype = ModelDType.Float32,
        string? tokenizer = null, int? rollingStride = null, RemoteOptions? remote = null)
    {
        if (RemoteOptions.IsRemote(model)) return LoadRemote(model, remote, dtype, tokenizer, rollingStride);
        if (Choose(model, backend) == Torch)
        {
            if (fast) throw new ArgumentException("--llamacpp-fast applies to the llama.cpp backend only");
            return LocalModelLoader.Load(model, new LocalModelOptions { DType = dtype, Tokenizer = tokenizer, RollingStride = rollingStride });
        }
        if (tokenizer is not null) throw new ArgumentException("--tokenizer: a GGUF file brings its own vocabulary, llama.cpp uses it");
        if (dtype != ModelDType.Float32) throw new ArgumentException($"--dtype {dtype.Name()}: a GGUF file's precision is its tensor types (use `smalleval quantize`)");
        return LlamaCppLanguageModel.Load(model, new LlamaCppOptions { Fast = fast }, rollingStride);
    }

    /// <summary>A model behind an OpenAI-compatible server, with our tokenizer (--tokenizer, or the bundled model of that
    /// name) or else the server's own.</summary>
    private static ILanguageModel LoadRemote(string model, RemoteOptions? remote, ModelDType dtype, string? tokenizer, int? rollingStride)
    {
        remote ??= new RemoteOptions { BaseUrl = RemoteOptions.UrlOf(model) };
        if (dtype != ModelDType.Float32) throw new ArgumentException($"--dtype {dtype.Name()}: a remote model's precision is the server's");
        string? tokName = tokenizer ?? (remote.Model is string m && Engine.BundledModels.BundledModel.Resolve(m) is { } b ? b.TokenizerName : null);
        // Neither: the server's own tokenizer (/tokenize, /tokenizer_info), refused by name when it has none.
        return RemoteLanguageModel.Connect(remote, tokName is null ? null : Tokenizers.TokenizerCatalog.Resolve(tokName), rollingStride);
    }

    /// <summary>The EvalJob hook for a backend choice (null keeps the built-in engine's own loading).</summary>
    public static Func<EvalJobSpec, ILanguageModel>? JobLoader(string model, string backend, bool fast, RemoteOptions? remote = null) =>
        !RemoteOptions.IsRemote(model) && Choose(model, backend) == Torch && !fast ? null
            : s => Load(s.Model, backend, fast, s.DType, s.Tokenizer, s.RollingStride, remote);
}
