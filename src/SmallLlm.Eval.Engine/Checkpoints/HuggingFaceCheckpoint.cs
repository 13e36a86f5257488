using System.Text.Json;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>
/// A Hugging Face model folder: <c>config.json</c> plus <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>.
/// </summary>
public static class HuggingFaceCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    public static bool LooksLikeFolder(string dir) =>
        Directory.Exists(dir) && (File.Exists(Path.Combine(dir, ConfigFile)) ||
                                  File.Exists(Path.Combine(dir, WeightsFile)) || File.Exists(Path.Combine(dir, IndexFile)));

    /// <summary>The safetensors files of a folder, with the tensor names each should hold.</summary>
    public static IReadOnlyList<string> WeightFiles(string dir)
    {
        string index = Path.Combine(dir, IndexFile);
        if (File.Exists(index)) return ReadIndex(index).Values.Distinct().Select(f => Path.Combine(dir, f)).ToList();
        string single = Path.Combine(dir, WeightsFile);
        if (File.Exists(single)) return [single];
        throw new FileNotFoundException($"{dir}: no {WeightsFile} or {IndexFile} in the model folder");
    }

    public static LlamaWeights Load(string dir, ModelDType dtype)
    {
        var config = HuggingFaceConfig.Read(Path.Combine(dir, ConfigFile));
        string index = Path.Combine(dir, IndexFile);
        Dictionary<string, string> where; // tensor name -> file
        if (File.Exists(index))
            where = ReadIndex(index).ToDictionary(kv => kv.Key, kv => Path.Combine(dir, kv.Value));
        else
        {
            string single = Path.Combine(dir, WeightsFile);
            if (!File.Exists(single)) throw new FileNotFoundException($"{dir}: no {WeightsFile} or {IndexFile} in the model folder");
            where = new();
        }

        var readers = new Dictionary<string, SafetensorsReader>();
        var tensors = new Dictionary<string, Tensor>();
        var target = SafetensorsDType.Of(dtype);
        try
        {
            foreach (var (name, shape) in LlamaWeights.ExpectedTensors(config))
            {
                string file = where.GetValueOrDefault(name) ?? Path.Combine(dir, WeightsFile);
                if (!File.Exists(file))
                    throw new InvalidDataException($"{dir}: tensor '{name}' is not in any shard listed by {IndexFile}");
                if (!readers.TryGetValue(file, out var reader)) readers[file] = reader = new SafetensorsReader(file);
                if (!reader.Entries.TryGetValue(name, out var entry))
                    throw new InvalidDataException($"{file}: tensor '{name}' is missing (config.json asks for {config.NumLayers} layers" +
                                                   (config.TieWordEmbeddings ? ")" : " and an untied lm_head)"));
                if (!entry.Shape.SequenceEqual(shape))
                    throw new InvalidDataException(
                        $"{file}: tensor '{name}' has shape [{string.Join(", ", entry.Shape)}], expected [{string.Join(", ", shape)}] from config.json");
                tensors[name] = reader.Read(name, target);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var r in readers.Values) r.Dispose();
        }
        return new LlamaWeights(config, dtype, tensors);
    }

    private static Dictionary<string, string> ReadIndex(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map))
                throw new InvalidDataException($"{path}: missing 'weight_map'");
            return map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()
                ?? throw new InvalidDataException($"{path}: weight_map['{p.Name}'] must be a file name"));
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
    }

    /// <summary>Writes <paramref name="weights"/> as a Hugging Face folder, optionally sharded at <paramref name="maxShardBytes"/>.</summary>
    public static void Save(LlamaWeights weights, string dir, long maxShardBytes = long.MaxValue)
    {
        Directory.CreateDirectory(dir);
        HuggingFaceConfig.Write(Path.Combine(dir, ConfigFile), weights.Config, weights.DType);
        var ordered = LlamaWeights.ExpectedTensors(weights.Config).Select(e => (e.Name, weights[e.Name])).ToList();
        var shards = new List<List<(string, Tensor)>> { new() };
        long size = 0;
        foreach (var item in ordered)
        {
            long bytes = item.Item2.numel() * item.Item2.element_size();
            if (shards[^1].Count > 0 && size + bytes > maxShardBytes) { shards.Add(new()); size = 0; }
            shards[^1].Add(item);
            size += bytes;
        }
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(Path.Combine(dir, WeightsFile), shards[0], meta);
            return;
        }
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(dir, name), shards[i], meta);
            foreach (var (n, _) in shards[i]) map[n] = name;
        }
        long total = ordered.Sum(o => o.Item2.numel() * o.Item2.element_size());
        File.WriteAllText(Path.Combine(dir, IndexFile), JsonSerializer.Serialize(new
        {
            metadata = new { total_size = total },
            weight_map = map,
        }, new JsonSerializerOptions { WriteIndented = true }));
    }
}
