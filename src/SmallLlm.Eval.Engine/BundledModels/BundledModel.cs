using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.BundledModels;

/// <summary>A checkpoint that ships inside the engine assembly, addressable by name without any file.</summary>
public sealed record BundledModel(string Name, string ResourceName, string TokenizerName, string Description)
{
    public static readonly BundledModel Stories260K = new(
        "stories260K", "SmallLlm.Eval.Engine.BundledModels.stories260K.stories260K.bin", "tok512",
        "Karpathy's tinyllamas stories260K (MIT): 260K parameters, trained on TinyStories");

    public static IReadOnlyList<BundledModel> All { get; } = [Stories260K];

    public static BundledModel? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The bundled model a model path names: a file or folder of the same name wins over the bundled one.</summary>
    public static BundledModel? Resolve(string pathOrName) =>
        File.Exists(pathOrName) || Directory.Exists(pathOrName) ? null : Find(pathOrName);

    public Stream Open() => typeof(BundledModel).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"bundled model resource {ResourceName} is missing from the engine assembly");

    public LlamaWeights Load(ModelDType dtype)
    {
        using var s = Open();
        return Llama2cCheckpoint.Load(s, $"bundled:{Name}", dtype);
    }
}
