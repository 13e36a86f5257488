using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>../shared/tokenizers/vectors.json: tricky strings and the ids independent implementations give.</summary>
public sealed class ReferenceVectors
{
    public required string[] Strings { get; init; }
    public required Dictionary<string, int[][]> Ids { get; init; }

    public static ReferenceVectors Load()
    {
        string path = SharedFiles.Get("tokenizers/vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var strings = doc.RootElement.GetProperty("strings").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var ids = new Dictionary<string, int[][]>();
        foreach (var p in doc.RootElement.GetProperty("ids").EnumerateObject())
            ids[p.Name] = p.Value.EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        return new ReferenceVectors { Strings = strings, Ids = ids };
    }
}
