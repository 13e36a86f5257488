using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.HuggingFace;

/// <summary>
/// The parts of a Hugging Face <c>tokenizer_config.json</c> that change which ids a prompt gets: whether BOS is added
/// and which token it is, and the EOS token. Tokens are given as a string or as an AddedToken object with "content".
/// </summary>
public sealed record TokenizerConfigJson(bool? AddBosToken, bool? AddEosToken, string? BosToken, string? EosToken)
{
    public const string FileName = "tokenizer_config.json";

    /// <summary>The tokenizer_config.json beside a tokenizer file, or null when there is none.</summary>
    public static TokenizerConfigJson? Beside(string tokenizerPath)
    {
        string? dir = File.Exists(tokenizerPath) ? Path.GetDirectoryName(Path.GetFullPath(tokenizerPath)) : null;
        string? path = dir is null ? null : Path.Combine(dir, FileName);
        return path is not null && File.Exists(path) ? Read(path) : null;
    }

    public static TokenizerConfigJson Read(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected a JSON object");
            bool? Flag(string name) => !root.TryGetProperty(name, out var v) ? null : v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw new InvalidDataException($"{path}: '{name}' must be true or false, got {v.GetRawText()}"),
            };
            string? Token(string name) => !root.TryGetProperty(name, out var v) ? null : v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null => null,
                JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
                _ => throw new InvalidDataException($"{path}: '{name}' must be a token string or an object with 'content', got {v.GetRawText()}"),
            };
            return new TokenizerConfigJson(Flag("add_bos_token"), Flag("add_eos_token"), Token("bos_token"), Token("eos_token"));
        }
    }
}
