using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>One conversation of a messages file and the line it starts on (for errors).</summary>
public sealed record Conversation(int Line, JsonElement Messages);

/// <summary>
/// A messages file: one JSON array of <c>{"role", "content"}</c> messages (one conversation), or JSONL with one such
/// array per line (blank lines skipped). Every problem names the file and the line.
/// </summary>
public static class ConversationFile
{
    public static IReadOnlyList<Conversation> Parse(string displayName, string text)
    {
        var options = new JsonDocumentOptions { AllowTrailingCommas = false };
        try
        {
            // The whole file as one JSON value: a single conversation, however it is laid out over lines.
            var whole = JsonDocument.Parse(text, options).RootElement.Clone();
            return [Checked(displayName, 1 + LeadingLines(text), whole)];
        }
        catch (JsonException)
        {
            // Not one value: JSONL, one conversation per line.
        }
        var result = new List<Conversation>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            JsonElement value;
            try { value = JsonDocument.Parse(line, options).RootElement.Clone(); }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{displayName} line {i + 1}, column {e.BytePositionInLine + 1}: not valid JSON ({e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd()})");
            }
            result.Add(Checked(displayName, i + 1, value));
        }
        if (result.Count == 0) throw new InvalidDataException($"{displayName}: no conversation (expected a JSON array of {{\"role\", \"content\"}} messages, or JSONL with one array per line)");
        return result;
    }

    private static int LeadingLines(string text) => text[..(text.Length - text.TrimStart().Length)].Count(c => c == '\n');

    private static Conversation Checked(string displayName, int line, JsonElement messages)
    {
        try { ChatTemplate.CheckMessages(messages); }
        catch (FormatException e) { throw new InvalidDataException($"{displayName} line {line}: {e.Message}"); }
        return new Conversation(line, messages);
    }
}
