using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmallLlm.Eval.Configuration;

/// <summary>
/// eval.config.json: the models and tasks of the default run and their settings. Paths are relative to the file.
/// </summary>
public sealed record EvalConfig
{
    [JsonPropertyName("models")] public List<ModelEntry> Models { get; init; } = [];
    [JsonPropertyName("tasks")] public List<string> Tasks { get; init; } = [];
    [JsonPropertyName("num_fewshot")] public int? NumFewshot { get; init; }
    [JsonPropertyName("limit")] public int? Limit { get; init; }
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1234;
    [JsonPropertyName("batch_size")] public string BatchSize { get; init; } = "auto";
    [JsonPropertyName("output")] public string Output { get; init; } = "results";
    [JsonPropertyName("tasks_dir")] public string TasksDir { get; init; } = "tasks";
    [JsonPropertyName("plugins")] public string Plugins { get; init; } = "plugins";
    [JsonPropertyName("cache")] public string? Cache { get; init; } = "results/.cache/requests.sqlite";
    /// <summary>Per-task overrides: num_fewshot, limit and task options (e.g. subjects).</summary>
    /// <summary>--apply-chat-template (with <see cref="ChatTemplateName"/> as its NAME), --chat-template, --fewshot-as-multiturn, --system-instruction.</summary>
    [JsonPropertyName("apply_chat_template")] public bool ApplyChatTemplate { get; init; }
    [JsonPropertyName("chat_template_name")] public string? ChatTemplateName { get; init; }
    [JsonPropertyName("chat_template")] public string? ChatTemplate { get; init; }
    [JsonPropertyName("fewshot_as_multiturn")] public bool FewshotAsMultiturn { get; init; }
    [JsonPropertyName("system_instruction")] public string? SystemInstruction { get; init; }
    [JsonPropertyName("task_settings")] public Dictionary<string, TaskOverride> TaskSettings { get; init; } = new();

    /// <summary>Tolerances and significance level of `smalleval check` (read by the Reports gate, opaque here).</summary>
    [JsonPropertyName("check")] public JsonElement? Check { get; init; }

    [JsonIgnore] public string BaseDirectory { get; init; } = ".";

    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(BaseDirectory, relative));

    /// <summary>The same rules as the command line's options (<see cref="SettingRules"/>), named as the file spells them.</summary>
    private void Validate(string path)
    {
        SettingRules.Limit(Limit, $"{path}: limit");
        SettingRules.NumFewshot(NumFewshot, $"{path}: num_fewshot");
        SettingRules.BatchSize(BatchSize, $"{path}: batch_size");
        foreach (var (i, m) in Models.Index()) SettingRules.DType(m.DType, $"{path}: models[{i}].dtype");
        foreach (var (task, o) in TaskSettings)
        {
            SettingRules.Limit(o.Limit, $"{path}: task_settings.{task}.limit");
            SettingRules.NumFewshot(o.NumFewshot, $"{path}: task_settings.{task}.num_fewshot");
        }
    }

    public static EvalConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file '{path}' not found");
        EvalConfig? config;
        try { config = JsonSerializer.Deserialize<EvalConfig>(File.ReadAllText(path), new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow }); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
        if (config is null) throw new InvalidDataException($"{path}: empty config");
        // JSON null passes the deserializer into non-nullable properties: refuse it here, by name, not as a crash later.
        if (config.Models is null || config.Models.Count == 0) throw new InvalidDataException($"{path}: 'models' lists no model (expected a list of {{\"model\": ...}} objects)");
        if (config.Models.Any(m => m is null)) throw new InvalidDataException($"{path}: 'models' holds a null entry (expected {{\"model\": ...}} objects)");
        if (config.Tasks is null || config.Tasks.Count == 0) throw new InvalidDataException($"{path}: 'tasks' lists no task (expected a list of task names)");
        if (config.Tasks.Any(t => t is null)) throw new InvalidDataException($"{path}: 'tasks' holds a null entry (expected task names)");
        if (config.TaskSettings is null) throw new InvalidDataException($"{path}: 'task_settings' is null (expected an object of task names, or leave it out)");
        try { config.Validate(path); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message); }
        return config with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
    }
}

public sealed record ModelEntry
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("dtype")] public string DType { get; init; } = "auto";
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; init; }
    /// <summary>For an openai-completions:URL model: the server's model name (default: the first it lists).</summary>
    [JsonPropertyName("remote_model")] public string? RemoteModel { get; init; }
    /// <summary>For an openai-completions:URL model: the environment variable holding the API key (the key is never stored).</summary>
    [JsonPropertyName("api_key_env")] public string? ApiKeyEnv { get; init; }
}

public sealed record TaskOverride
{
    [JsonPropertyName("num_fewshot")] public int? NumFewshot { get; init; }
    [JsonPropertyName("limit")] public int? Limit { get; init; }
    [JsonPropertyName("options")] public Dictionary<string, string> Options { get; init; } = new();
}
