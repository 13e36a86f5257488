using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>
/// Loads checkpoints onto the built-in engine: finds the tokenizer a model brings, reads the weights, and fixes the
/// model's identity (what the request cache and result folders key on).
/// </summary>
public static class LocalModelLoader
{
    /// <summary>Loads a model by path or bundled name, with its own tokenizer unless one is given.</summary>
    public static LocalLanguageModel Load(string pathOrName, LocalModelOptions? options = null)
    {
        options ??= new LocalModelOptions();
        var tok = ResolveTokenizer(pathOrName, options.Tokenizer);
        var model = new LlamaModel(CheckpointLoader.Load(pathOrName, options.DType));
        try
        {
            string sha = CheckpointFingerprint.Sha256(pathOrName);
            string name = BundledModel.Resolve(pathOrName) is { } b
                ? b.Name : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(pathOrName)));
            bool addBos = tok.BosId is not null;
            string dtype = options.DType.Name();
            var identity = new ModelIdentity(name, pathOrName, sha, dtype, model.ParameterCount, tok.Name, addBos,
                CacheKey: $"{sha}|{dtype}|{tok.Name}|bos={addBos}|stride={options.RollingStride}", RollingStride: options.RollingStride);
            var scoring = options.Scoring ?? Models.BatchSize.Parse(options.BatchSize, model.ParameterCount);
            return new LocalLanguageModel(model, tok, identity, scoring, options.DTypeChoice);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The explicit tokenizer if given, else the one a bundled model names or a model folder holds.</summary>
    public static ITextTokenizer ResolveTokenizer(string model, string? explicitTokenizer)
    {
        if (!string.IsNullOrEmpty(explicitTokenizer)) return TokenizerCatalog.Resolve(explicitTokenizer);
        if (BundledModel.Resolve(model) is { } bundled)
            return TokenizerCatalog.Resolve(bundled.TokenizerName);
        string? folder = Directory.Exists(model) ? model : File.Exists(model) ? Path.GetDirectoryName(Path.GetFullPath(model)) : null;
        if (folder != null)
        {
            foreach (var candidate in new[] { "tokenizer.json", "tokenizer.model" }.Select(f => Path.Combine(folder, f)))
                if (File.Exists(candidate)) return TokenizerCatalog.Resolve(candidate);
            var tok = Directory.GetFiles(folder, "tok*.bin");
            if (tok.Length == 1) return TokenizerCatalog.Resolve(tok[0]);
        }
        if (!File.Exists(model) && !Directory.Exists(model))
            throw new FileNotFoundException($"model '{model}' not found: not a file, not a folder, not a bundled model (bundled: {string.Join(", ", BundledModel.All.Select(m => m.Name))})");
        throw new ArgumentException($"model '{model}' brings no tokenizer (no tokenizer.json, tokenizer.model or tok*.bin beside it): pass --tokenizer NAME|PATH");
    }
}
