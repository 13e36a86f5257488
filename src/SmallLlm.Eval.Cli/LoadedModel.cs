using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Models;
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

    /// <summary>The explicit tokenizer if given, else the model's own (see <see cref="LocalLanguageModel.ResolveTokenizer"/>).</summary>
    public static ITextTokenizer ResolveTokenizer(string model, string? explicitTokenizer) =>
        LocalLanguageModel.ResolveTokenizer(model, explicitTokenizer);

    public void Dispose() => Model.Dispose();
}
