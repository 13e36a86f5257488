using System.Text.Json;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>llama2.c's own output for stories260K (../shared/models/stories260K/reference/s260_33).</summary>
public sealed class Stories260KReference
{
    public int[] TokenIds { get; }
    public float[,] Logits { get; }
    public double MeanNll { get; }
    public double[] PerPositionNll { get; }

    public Stories260KReference()
    {
        string dir = SharedFiles.Get($"{SharedFiles.Stories}/reference/s260_33");
        TokenIds = File.ReadAllText(Path.Combine(dir, "token_ids.txt"))
            .Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(dir, "logits.f32"));
        int n = TokenIds.Length, v = bytes.Length / 4 / n;
        Logits = new float[n, v];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < v; j++) Logits[t, j] = BitConverter.ToSingle(bytes, (t * v + j) * 4);
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
        MeanNll = FindNumber(meta.RootElement, "mean_nll");
        PerPositionNll = FindArray(meta.RootElement, "nll") ?? [];
    }

    private static double FindNumber(JsonElement e, string name)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == name && p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetDouble();
            if (p.Value.ValueKind == JsonValueKind.Object) { var x = FindNumber(p.Value, name); if (!double.IsNaN(x)) return x; }
        }
        return double.NaN;
    }

    private static double[]? FindArray(JsonElement e, string prefix)
    {
        foreach (var p in e.EnumerateObject())
            if (p.Name.StartsWith(prefix) && p.Value.ValueKind == JsonValueKind.Array &&
                p.Value.EnumerateArray().All(x => x.ValueKind is JsonValueKind.Number or JsonValueKind.Null))
                return p.Value.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? double.NaN : x.GetDouble()).ToArray();
        return null;
    }
}
