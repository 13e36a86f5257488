using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Tasks;

/// <summary>
/// A declarative task file (<c>tasks/&lt;family&gt;/&lt;name&gt;.task.json</c>): its name, the kind of task (which C#
/// plugin runs it), a version, and the kind's own fields (data path and format, prompt template, shots, metrics).
/// </summary>
public sealed record TaskDefinition(string Name, string Kind, string Version, string Description, string FilePath, JsonObject Fields)
{
    public string Folder => Path.GetDirectoryName(FilePath)!;

    public static TaskDefinition Read(string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        string Field(string name) => o[name]?.GetValue<string>() is { Length: > 0 } v ? v
            : throw new InvalidDataException($"{path}: missing field '{name}' (a string)");
        return new TaskDefinition(Field("name"), Field("kind"), o["version"]?.ToString() ?? "1", o["description"]?.GetValue<string>() ?? "", path, o);
    }

    public string String(string name, string? fallback = null) =>
        Fields[name]?.GetValue<string>() ?? fallback ?? throw new InvalidDataException($"{FilePath}: missing field '{name}'");

    public int? Int(string name) => Fields[name] is JsonNode n ? n.GetValue<int>() : null;

    /// <summary>A path field, relative to the task file's folder.</summary>
    public string DataPath(string name, string? overrideDir) =>
        overrideDir is not null ? overrideDir : Path.GetFullPath(Path.Combine(Folder, String(name)));
}
