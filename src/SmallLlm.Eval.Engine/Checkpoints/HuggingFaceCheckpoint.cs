using System.Text.Json;
using System.Text.RegularExpressions;
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
        var target = dtype.ToScalarType();
        SafetensorsReader Reader(string file)
        {
            if (!File.Exists(file))
                throw new InvalidDataException($"{dir}: shard '{Path.GetFileName(file)}' listed by {IndexFile} does not exist");
            if (!readers.TryGetValue(file, out var reader)) readers[file] = reader = new SafetensorsReader(file);
            return reader;
        }
        try
        {
            // Headers first: a tensor the engine would not use is refused before any weight is read.
            var files = where.Count > 0 ? where.Values.Distinct().ToList() : [Path.Combine(dir, WeightsFile)];
            foreach (var file in files) Reader(file);
            var expected = LlamaWeights.ExpectedTensors(config).ToList();
            CheckEveryTensorIsUsed(config, expected.Select(e => e.Name).ToHashSet(),
                readers.Values.SelectMany(r => r.Entries.Keys.Select(n => (r.Path, n))).Concat(where.Select(kv => (index, kv.Key))));
            foreach (var (name, shape) in expected)
            {
                if (where.Count > 0 && !where.ContainsKey(name))
                    throw new InvalidDataException($"{index}: tensor '{name}' is not in weight_map (config.json asks for {config.NumLayers} layers" +
                                                   (config.TieWordEmbeddings ? ")" : " and an untied lm_head)"));
                string file = where.GetValueOrDefault(name) ?? Path.Combine(dir, WeightsFile);
                var reader = Reader(file);
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

    /// <summary>
    /// Every tensor in the checkpoint must be one the engine uses: an unused bias, an extra layer or an unknown name means
    /// the checkpoint is a variant the config does not describe, and scoring it without them would score another model.
    /// RoPE <c>inv_freq</c> buffers that old exports carry are derived from config.json and recomputed, so they are allowed.
    /// </summary>
    private static void CheckEveryTensorIsUsed(LlamaConfig config, HashSet<string> expected, IEnumerable<(string File, string Name)> present)
    {
        foreach (var (file, name) in present)
        {
            if (expected.Contains(name) || name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)) continue;
            var layer = Regex.Match(name, @"^model\.layers\.(\d+)\.");
            if (layer.Success && (!int.TryParse(layer.Groups[1].Value, out int l) || l >= config.NumLayers))
                throw new InvalidDataException(
                    $"{file}: tensor '{name}' belongs to layer {layer.Groups[1].Value} but config.json declares {config.NumLayers} layers (num_hidden_layers)");
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                throw new InvalidDataException(
                    $"{file}: tensor '{name}' is a bias that config.json does not declare for model_type '{config.ModelType}' " +
                    "(attention_bias/mlp_bias): the engine will not score the checkpoint without it");
            throw new InvalidDataException(
                $"{file}: tensor '{name}' is not used by the {config.ModelType} engine: the checkpoint is not the architecture config.json describes");
        }
    }

    private static Dictionary<string, string> ReadIndex(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map))
                throw new InvalidDataException($"{path}: missing 'weight_map'");
            if (map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: 'weight_map' is a JSON {map.ValueKind.ToString().ToLowerInvariant()}, expected an object of tensor name -> shard file");
            var result = new Dictionary<string, string>();
            foreach (var p in map.EnumerateObject())
            {
                string? file = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                if (string.IsNullOrEmpty(file) || file != Path.GetFileName(file) || file is "." or "..")
                    throw new InvalidDataException($"{path}: weight_map['{p.Name}'] must be the name of a shard file in the folder, got {p.Value.GetRawText()}");
                result[p.Name] = file;
            }
            return result;
        }
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
        var written = new HashSet<string>();
        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(Path.Combine(dir, WeightsFile), shards[0], meta);
            written.Add(WeightsFile);
        }
        else
        {
            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < shards.Count; i++)
            {
                string name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                SafetensorsWriter.Write(Path.Combine(dir, name), shards[i], meta);
                written.Add(name);
                foreach (var (n, _) in shards[i]) map[n] = name;
            }
            long total = ordered.Sum(o => o.Item2.numel() * o.Item2.element_size());
            File.WriteAllText(Path.Combine(dir, IndexFile), JsonSerializer.Serialize(new
            {
                metadata = new { total_size = total },
                weight_map = map,
            }, new JsonSerializerOptions { WriteIndented = true }));
            written.Add(IndexFile);
        }
        // A model written over another must not leave its shards or index behind: the loader would read them.
        foreach (var stale in ModelFiles(dir).Where(f => !written.Contains(Path.GetFileName(f)))) File.Delete(stale);
    }

    /// <summary>The weight files of a model in <paramref name="dir"/>: model*.safetensors and the shard index.</summary>
    public static IEnumerable<string> ModelFiles(string dir) =>
        !Directory.Exists(dir) ? [] :
        Directory.EnumerateFiles(dir, "model*.safetensors").Concat(Directory.EnumerateFiles(dir, IndexFile)).Order(StringComparer.Ordinal).ToList();
}
