using System.Text.Json;
using System.Text.Json.Serialization;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// shard.json, written by <c>eval --shard I/N</c> beside the shard's request cache: everything <c>merge</c> needs to
/// check that shards belong together and to score the whole run from their answers.
/// </summary>
public sealed record ShardManifest
{
    public const string FileName = "shard.json";

    public required int Shard { get; init; }
    public required int Of { get; init; }
    public required string ModelArgument { get; init; }
    public string? TokenizerArgument { get; init; }
    public required string DType { get; init; }
    public int? RollingStride { get; init; }
    /// <summary>The shards ran with --allow-nonfinite: their caches hold the NaN or infinite answers they recorded,
    /// and the merge trusts and counts them as the unsharded run does.</summary>
    [JsonPropertyName("allow_nonfinite")] // as the flag is spelled
    public bool AllowNonFinite { get; init; }
    public required ModelIdentity Identity { get; init; }
    public required int ContextLength { get; init; }
    public int? VocabSize { get; init; }
    public required IReadOnlyList<string> Tasks { get; init; }
    public required string TasksDirectory { get; init; }
    public string? PluginsDirectory { get; init; }
    public required IReadOnlyList<ShardTaskPlan> Plans { get; init; }
    /// <summary>The shard's request cache, relative to the shard folder when inside it.</summary>
    public required string Cache { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static ShardManifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder}: no {FileName}: not a shard folder (made by `smalleval eval --shard I/N`)");
        try { return JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid shard manifest: {e.Message}"); }
    }

    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        Primitives.AtomicFile.WriteText(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>What must be equal across shards of one run: everything but the shard number and cache location.</summary>
    public IEnumerable<(string Field, string Value)> Fingerprint()
    {
        var doc = JsonSerializer.SerializeToElement(this with { Shard = 0, Cache = "" }, Json);
        foreach (var p in doc.EnumerateObject())
        {
            if (p.Name is "shard" or "cache") continue;
            if (p.Name == "plans")
                foreach (var plan in p.Value.EnumerateArray())
                    foreach (var f in plan.EnumerateObject())
                        yield return ($"plans[{plan.GetProperty("task").GetString()}].{f.Name}", f.Value.GetRawText());
            else yield return (p.Name, p.Value.GetRawText());
        }
    }
}

/// <param name="PlanSha256">Hash of every request of the task in order: equal plans ask equal questions.</param>
public sealed record ShardTaskPlan(string Task, string Version, string DataSha256, TaskSettings Settings, int Requests, string PlanSha256);
