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

    /// <summary>Fields every task file may have, with their JSON types (see <see cref="TaskFieldType"/>).</summary>
    public static readonly IReadOnlyDictionary<string, TaskFieldType> CommonFields = new Dictionary<string, TaskFieldType>
    {
        ["name"] = TaskFieldType.String, ["kind"] = TaskFieldType.String, ["version"] = TaskFieldType.StringOrNumber,
        ["description"] = TaskFieldType.String, ["metrics"] = TaskFieldType.StringArray, ["num_fewshot"] = TaskFieldType.NonNegativeInteger,
        ["data"] = TaskFieldType.String, ["data_instructions"] = TaskFieldType.String, ["$comment"] = TaskFieldType.String,
    };

    public static TaskDefinition Read(string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        foreach (var (field, type) in CommonFields) Check(path, o, field, type);
        string Field(string name) => o[name]?.GetValue<string>() is { Length: > 0 } v ? v
            : throw new InvalidDataException($"{path}: missing field '{name}' (a string)");
        return new TaskDefinition(Field("name"), Field("kind"), o["version"]?.ToString() ?? "1", o["description"]?.GetValue<string>() ?? "", path, o);
    }

    /// <summary>
    /// Checks the fields against the common ones and <paramref name="kindFields"/>: a wrong type or an unknown field
    /// is an error naming the file and the field.
    /// </summary>
    public void Validate(IReadOnlyDictionary<string, TaskFieldType> kindFields)
    {
        foreach (var (name, _) in Fields)
        {
            if (CommonFields.ContainsKey(name)) continue;
            if (ExecutionPolicy.Misplaced(name, FilePath) is string misplaced) throw new InvalidDataException(misplaced);
            if (!kindFields.TryGetValue(name, out var type))
                throw new InvalidDataException($"{FilePath}: unknown field '{name}' for kind '{Kind}' (known: {string.Join(", ", CommonFields.Keys.Concat(kindFields.Keys).Where(k => k != "$comment").Order(StringComparer.Ordinal))})");
            Check(FilePath, Fields, name, type);
        }
    }

    private static void Check(string path, JsonObject o, string field, TaskFieldType type)
    {
        if (o[field] is not JsonNode n) return;
        var kind = n.GetValueKind();
        bool ok = type switch
        {
            TaskFieldType.String => kind == JsonValueKind.String,
            TaskFieldType.StringOrNumber => kind is JsonValueKind.String or JsonValueKind.Number,
            TaskFieldType.Number => kind == JsonValueKind.Number,
            TaskFieldType.NonNegativeInteger => kind == JsonValueKind.Number && n.AsValue().TryGetValue(out int i) && i >= 0,
            TaskFieldType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            TaskFieldType.StringArray => kind == JsonValueKind.Array && n.AsArray().All(x => x?.GetValueKind() == JsonValueKind.String),
            TaskFieldType.IntegerArray => kind == JsonValueKind.Array && n.AsArray().All(x => x is JsonValue v && v.TryGetValue(out int _)),
            _ => true,
        };
        if (!ok) throw new InvalidDataException($"{path}: field '{field}' must be {Describe(type)}, got {n.ToJsonString()}");
    }

    private static string Describe(TaskFieldType t) => t switch
    {
        TaskFieldType.String => "a string",
        TaskFieldType.StringOrNumber => "a string or a number",
        TaskFieldType.Number => "a number",
        TaskFieldType.NonNegativeInteger => "an integer of at least 0",
        TaskFieldType.Boolean => "true or false",
        TaskFieldType.StringArray => "an array of strings",
        TaskFieldType.IntegerArray => "an array of integers",
        _ => "any JSON value",
    };

    public string String(string name, string? fallback = null) =>
        Fields[name]?.GetValue<string>() ?? fallback ?? throw new InvalidDataException($"{FilePath}: missing field '{name}'");

    /// <summary>The "metrics" field: the metrics this task is read by, its headline first; null when absent.</summary>
    public IReadOnlyList<string>? Metrics => Fields["metrics"]?.AsArray().Select(m => m!.GetValue<string>()).ToList();

    public int? Int(string name) => Fields[name] is JsonNode n ? n.GetValue<int>() : null;

    /// <summary>A path field, relative to the task file's folder.</summary>
    public string DataPath(string name, string? overrideDir) =>
        overrideDir is not null ? overrideDir : Path.GetFullPath(Path.Combine(Folder, String(name)));
}

/// <summary>The JSON type a task-file field must have.</summary>
public enum TaskFieldType { Any, String, StringOrNumber, Number, NonNegativeInteger, Boolean, StringArray, IntegerArray }
