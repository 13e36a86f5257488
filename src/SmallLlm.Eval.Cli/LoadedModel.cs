using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Cli;

/// <summary>A model and (when one can be found) its tokenizer, as the commands use them.</summary>
public sealed class LoadedModel : IDisposable
{
    public required string Name { get; init; }
    public required LlamaModel Model { get; init; }

    public static LoadedModel Load(string pathOrName, ModelDType dtype) => new()
    {
        Name = pathOrName,
        Model = new LlamaModel(CheckpointLoader.Load(pathOrName, dtype)),
    };

    /// <summary>The explicit tokenizer if given, else the one a bundled model names or a model folder holds.</summary>
    public static ITextTokenizer ResolveTokenizer(string model, string? explicitTokenizer)
    {
        if (!string.IsNullOrEmpty(explicitTokenizer)) return TokenizerCatalog.Resolve(explicitTokenizer);
        if (BundledModel.Find(model) is { } bundled && !File.Exists(model) && !Directory.Exists(model))
            return TokenizerCatalog.Resolve(bundled.TokenizerName);
        string? folder = Directory.Exists(model) ? model : File.Exists(model) ? Path.GetDirectoryName(Path.GetFullPath(model)) : null;
        if (folder != null)
        {
            foreach (var candidate in new[] { "tokenizer.json", "tokenizer.model" }.Select(f => Path.Combine(folder, f)))
                if (File.Exists(candidate)) return TokenizerCatalog.Resolve(candidate);
            var tok = Directory.GetFiles(folder, "tok*.bin");
            if (tok.Length == 1) return TokenizerCatalog.Resolve(tok[0]);
        }
        throw new ArgumentException($"model '{model}' brings no tokenizer (no tokenizer.json, tokenizer.model or tok*.bin beside it): pass --tokenizer NAME|PATH");
    }

    public void Dispose() => Model.Dispose();
}
