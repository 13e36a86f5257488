using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// Finds a model's chat template as transformers does: a <c>chat_template.jinja</c> file in the model folder (what
/// recent transformers saves), else <c>chat_template</c> in <c>tokenizer_config.json</c>: a string, or a list of
/// <c>{name, template}</c> from which "default" is taken unless a name is asked for. Special-token strings come from
/// the same tokenizer_config.json (a string or an AddedToken object with "content").
/// </summary>
public static class ChatTemplateLoader
{
    public const string JinjaFileName = "chat_template.jinja";
    private static readonly string[] SpecialTokenKeys = ["bos_token", "eos_token", "unk_token", "pad_token"];

    /// <summary>The template of a model folder (or of a tokenizer_config.json given directly).</summary>
    public static ChatTemplate FromModel(string modelPath, string? templateName = null)
    {
        var (dir, configPath) = Locate(modelPath);
        JsonElement? config = configPath is null ? null : ReadConfig(configPath);
        var specials = config is null ? new Dictionary<string, string>() : SpecialTokens(config.Value, configPath!);
        string jinjaPath = Path.Combine(dir, JinjaFileName);
        if (File.Exists(jinjaPath) && templateName is null)
            return new ChatTemplate(jinjaPath, File.ReadAllText(jinjaPath), specials);
        if (config is null)
            throw new FileNotFoundException($"{modelPath}: no {JinjaFileName} or tokenizer_config.json with a chat_template; pass --chat-template FILE");
        var (name, source) = SelectTemplate(config.Value, configPath!, templateName);
        return new ChatTemplate(name, source, specials);
    }

    /// <summary>A template file (<c>--chat-template FILE</c>), with the special tokens of the model folder when there is one.</summary>
    public static ChatTemplate FromFile(string templatePath, string? modelPath)
    {
        if (!File.Exists(templatePath)) throw new FileNotFoundException($"--chat-template '{templatePath}' not found");
        string? configPath = modelPath is null ? null : Locate(modelPath).ConfigPath;
        var specials = configPath is null ? new Dictionary<string, string>() : SpecialTokens(ReadConfig(configPath), configPath);
        return new ChatTemplate(templatePath, File.ReadAllText(templatePath), specials);
    }

    private static (string Dir, string? ConfigPath) Locate(string modelPath)
    {
        if (File.Exists(modelPath)) return (Path.GetDirectoryName(Path.GetFullPath(modelPath))!, modelPath);
        if (!Directory.Exists(modelPath)) throw new DirectoryNotFoundException($"{modelPath}: no such model folder or tokenizer_config.json");
        string config = Path.Combine(modelPath, "tokenizer_config.json");
        return (modelPath, File.Exists(config) ? config : null);
    }

    private static JsonElement ReadConfig(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : throw new InvalidDataException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
    }

    private static Dictionary<string, string> SpecialTokens(JsonElement config, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in SpecialTokenKeys)
        {
            if (!config.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) continue;
            result[key] = v.ValueKind switch
            {
                JsonValueKind.String => v.GetString()!,
                JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString()!,
                _ => throw new InvalidDataException($"{path}: '{key}' must be a token string or an object with 'content', got {v.GetRawText()}"),
            };
        }
        return result;
    }

    private static (string Name, string Source) SelectTemplate(JsonElement config, string path, string? templateName)
    {
        if (!config.TryGetProperty("chat_template", out var t) || t.ValueKind == JsonValueKind.Null)
            throw new InvalidDataException($"{path}: no chat_template (a base model?); pass --chat-template FILE");
        if (t.ValueKind == JsonValueKind.String)
        {
            if (templateName is not null && templateName != "default")
                throw new InvalidDataException($"{path}: has a single chat_template, not one named '{templateName}'");
            return ($"{path} chat_template", t.GetString()!);
        }
        if (t.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: 'chat_template' must be a string or a list of {{name, template}}, got {t.ValueKind.ToString().ToLowerInvariant()}");
        var named = new List<(string Name, string Template)>();
        int i = 0;
        foreach (var item in t.EnumerateArray())
        {
            i++;
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("template", out var s) || s.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}: chat_template item {i} must be an object with string 'name' and 'template'");
            named.Add((n.GetString()!, s.GetString()!));
        }
        string wanted = templateName ?? "default";
        foreach (var (n, s) in named)
            if (n == wanted) return ($"{path} chat_template '{n}'", s);
        throw new InvalidDataException(templateName is null
            ? $"{path}: several chat templates and none named 'default'; choose one of: {string.Join(", ", named.Select(x => x.Name))}"
            : $"{path}: no chat template named '{templateName}'; the templates are: {string.Join(", ", named.Select(x => x.Name))}");
    }
}
