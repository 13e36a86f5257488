using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Engine.Tests.Families;

/// <summary>
/// A Hugging Face folder with a family's config.json and random float32 weights drawn with System.Random and written
/// by a plain safetensors writer here (the engine's writer and TorchSharp play no part), so the reference and the
/// engine read the same numbers from independent code.
/// </summary>
public sealed class RandomFamilyFolder
{
    public string Dir { get; }
    public Dictionary<string, float[]> Weights { get; } = new();

    public RandomFamilyFolder(JsonObject config, ReferenceSpec spec, int seed)
    {
        Dir = TestModels.TempDir();
        File.WriteAllText(Path.Combine(Dir, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var random = new Random(seed);
        float Uniform(double scale) => (float)((random.NextDouble() * 2 - 1) * scale);
        var tensors = new List<(string Name, int[] Shape)>(spec.Tensors());
        foreach (var (name, shape) in tensors)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            var values = new float[n];
            // Unit-variance projections, norms near 1, visible biases: every part moves the log-probabilities.
            if (name.EndsWith("norm.weight")) for (int i = 0; i < n; i++) values[i] = 1 + Uniform(0.3);
            else if (name.EndsWith(".bias")) for (int i = 0; i < n; i++) values[i] = Uniform(0.5);
            else if (name == "model.embed_tokens.weight") for (int i = 0; i < n; i++) values[i] = Uniform(1.0);
            else
            {
                double scale = Math.Sqrt(3.0 / shape[1]) * 1.5;
                for (int i = 0; i < n; i++) values[i] = Uniform(scale);
            }
            Weights[name] = values;
        }
        WriteSafetensors(Path.Combine(Dir, "model.safetensors"), tensors);
    }

    private void WriteSafetensors(string path, List<(string Name, int[] Shape)> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = Weights[name].Length * 4L;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(x => (JsonNode)x).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes((long)json.Length));
        fs.Write(json);
        foreach (var (name, _) in tensors)
        {
            var data = Weights[name];
            var raw = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
            fs.Write(raw);
        }
    }
}
