using SmallLlm.Eval.Engine.BundledModels;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>Loads weights from whatever a model path is: a bundled name, a Hugging Face folder, a safetensors file, a llama2.c .bin
/// or an f32/f16/bf16 GGUF file.</summary>
public static class CheckpointLoader
{
    /// <summary>
    /// The architecture alone, from headers (config.json, or a llama2.c header): no weight is read, so this takes
    /// milliseconds for any size of checkpoint.
    /// </summary>
    public static LlamaConfig ReadConfig(string pathOrName)
    {
        if (BundledModel.Resolve(pathOrName) is { } bundled)
        {
            using var s = bundled.Open();
            return Llama2cCheckpoint.ReadHeader(s, $"bundled:{bundled.Name}");
        }
        if (Directory.Exists(pathOrName))
        {
            if (HuggingFaceCheckpoint.LooksLikeFolder(pathOrName)) return HuggingFaceConfig.Read(Path.Combine(pathOrName, HuggingFaceCheckpoint.ConfigFile));
            var bins = Directory.GetFiles(pathOrName, "*.bin");
            if (bins.Length == 1) return ReadLlama2cHeader(bins[0]);
            throw new InvalidDataException($"{pathOrName}: folder holds no config.json + model.safetensors (Hugging Face) and no single llama2.c .bin");
        }
        if (File.Exists(pathOrName))
            return Path.GetExtension(pathOrName).ToLowerInvariant() switch
            {
                ".bin" => ReadLlama2cHeader(pathOrName),
                ".gguf" => Gguf.GgufCheckpointReader.ReadConfig(pathOrName),
                ".safetensors" => HuggingFaceConfig.Read(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(pathOrName))!, HuggingFaceCheckpoint.ConfigFile)),
                _ => Load(pathOrName).Config, // unsupported types: Load says why
            };
        return Load(pathOrName).Config; // not found: Load says so
    }

    private static LlamaConfig ReadLlama2cHeader(string path)
    {
        using var s = File.OpenRead(path);
        return Llama2cCheckpoint.ReadHeader(s, path);
    }

    public static LlamaWeights Load(string pathOrName, ModelDType dtype = ModelDType.Float32)
    {
        if (BundledModel.Resolve(pathOrName) is { } bundled)
            return bundled.Load(dtype);
        if (Directory.Exists(pathOrName))
        {
            if (HuggingFaceCheckpoint.LooksLikeFolder(pathOrName)) return HuggingFaceCheckpoint.Load(pathOrName, dtype);
            var bins = Directory.GetFiles(pathOrName, "*.bin");
            if (bins.Length == 1) return Llama2cCheckpoint.Load(bins[0], dtype);
            throw new InvalidDataException($"{pathOrName}: folder holds no config.json + model.safetensors (Hugging Face) and no single llama2.c .bin");
        }
        if (File.Exists(pathOrName))
        {
            string ext = Path.GetExtension(pathOrName).ToLowerInvariant();
            return ext switch
            {
                ".bin" => Llama2cCheckpoint.Load(pathOrName, dtype),
                ".safetensors" => HuggingFaceCheckpoint.Load(Path.GetDirectoryName(Path.GetFullPath(pathOrName))!, dtype),
                ".gguf" => Gguf.GgufCheckpointReader.Load(pathOrName, dtype),
                _ => throw new InvalidDataException($"{pathOrName}: unknown checkpoint type '{ext}': expected a Hugging Face folder, .safetensors, a llama2.c .bin or a .gguf file"),
            };
        }
        throw new FileNotFoundException(
            $"model '{pathOrName}' not found: not a file, not a folder, not a bundled model (bundled: {string.Join(", ", BundledModel.All.Select(m => m.Name))})");
    }
}
