using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Models;

/// <summary>
/// What a <c>--model</c> argument names, decided once, here: a bundled model, a Hugging Face folder (or its
/// <c>.safetensors</c>), a llama2.c <c>.bin</c> (or a folder holding one), a GGUF file, an OpenAI-compatible server
/// (<c>openai-completions:URL</c>) or a random-weight model of a benchmark shape (<c>random:SHAPE</c>). Commands and
/// loaders switch on the case instead of testing the string.
/// </summary>
public abstract record ModelSpec(string Argument)
{
    public const string RemotePrefix = "openai-completions:";
    public const string RandomPrefix = "random:";

    /// <summary>A model compiled into the engine (stories260K); a file or folder of the same name wins.</summary>
    public sealed record Bundled(string Argument, BundledModel Model) : ModelSpec(Argument);

    /// <summary>config.json + safetensors, in <see cref="Folder"/>.</summary>
    public sealed record HuggingFaceFolder(string Argument, string Folder) : ModelSpec(Argument);

    /// <summary>A llama2.c checkpoint file.</summary>
    public sealed record Llama2c(string Argument, string File) : ModelSpec(Argument);

    /// <summary>A GGUF file (llama.cpp's format; the built-in engine reads its f32/f16/bf16 tensors through convert).</summary>
    public sealed record Gguf(string Argument) : ModelSpec(Argument);

    /// <summary>A model behind an OpenAI-compatible completions server.</summary>
    public sealed record Remote(string Argument, string Url) : ModelSpec(Argument);

    /// <summary>Random weights of one of the engine benchmark's shapes (for speed measurements only).</summary>
    public sealed record Random(string Argument, string Shape, LlamaConfig Config) : ModelSpec(Argument);

    /// <summary>The checkpoint kinds the built-in engine loads (through <see cref="CheckpointLoader"/>).</summary>
    public bool IsCheckpoint => this is Bundled or HuggingFaceFolder or Llama2c;

    /// <summary>The name results and servers show: the bundled name, else the file or folder name, else the argument.</summary>
    public string DisplayName => this switch
    {
        Bundled b => b.Model.Name,
        Remote or Random => Argument,
        _ => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Argument))),
    };

    public static ModelSpec Parse(string argument)
    {
        if (string.IsNullOrWhiteSpace(argument)) throw new ArgumentException("--model is empty: give a bundled name, a checkpoint path, a .gguf file or openai-completions:URL");
        if (argument.StartsWith(RemotePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new Remote(argument, argument[RemotePrefix.Length..].TrimEnd('/')); // the remote options check the URL
        }
        if (argument.StartsWith(RandomPrefix, StringComparison.Ordinal))
        {
            string shape = argument[RandomPrefix.Length..];
            return EngineBenchmark.Shapes.TryGetValue(shape, out var config) ? new Random(argument, shape, config)
                : throw new ArgumentException($"--model '{argument}': unknown shape '{shape}': expected one of {string.Join(", ", EngineBenchmark.Shapes.Keys.Select(k => RandomPrefix + k))}");
        }
        if (argument.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) return new Gguf(argument);
        if (BundledModel.Resolve(argument) is { } bundled) return new Bundled(argument, bundled);
        if (Directory.Exists(argument))
        {
            if (HuggingFaceCheckpoint.LooksLikeFolder(argument)) return new HuggingFaceFolder(argument, argument);
            var bins = Directory.GetFiles(argument, "*.bin");
            if (bins.Length == 1) return new Llama2c(argument, bins[0]);
            throw new InvalidDataException($"{argument}: folder holds no config.json + model.safetensors (Hugging Face) and no single llama2.c .bin");
        }
        if (File.Exists(argument))
            return Path.GetExtension(argument).ToLowerInvariant() switch
            {
                ".bin" => new Llama2c(argument, argument),
                ".safetensors" => new HuggingFaceFolder(argument, Path.GetDirectoryName(Path.GetFullPath(argument))!),
                var ext => throw new InvalidDataException($"{argument}: unknown checkpoint type '{ext}': expected a Hugging Face folder, .safetensors, a llama2.c .bin or a .gguf file"),
            };
        throw new FileNotFoundException(
            $"model '{argument}' not found: not a file, not a folder, not a bundled model (bundled: {string.Join(", ", BundledModel.All.Select(m => m.Name))}), not {RemotePrefix}URL");
    }

    /// <summary>The one refusal for what a backend cannot do (e.g. full distributions from a remote server).</summary>
    public ArgumentException Lacks(string capability, string instead) =>
        new($"{Argument}: {capability} is not available from {Kind}; {instead}");

    /// <summary>The case, in words.</summary>
    public string Kind => this switch
    {
        Bundled => "a bundled model",
        HuggingFaceFolder => "a Hugging Face checkpoint",
        Llama2c => "a llama2.c checkpoint",
        Gguf => "a GGUF file",
        Remote => "a remote OpenAI-compatible server (it returns the top log-probabilities, not whole distributions)",
        Random => "a random-weight model",
        _ => GetType().Name,
    };
}
