using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// A model's chat template with the special-token strings it may use, rendered as transformers'
/// <c>apply_chat_template(messages, add_generation_prompt=..., **kwargs)</c> renders it: the variables are
/// <c>messages</c>, <c>add_generation_prompt</c>, <c>tools</c> and <c>documents</c> (None), the tokenizer's special
/// tokens (<c>bos_token</c>, <c>eos_token</c>, <c>unk_token</c>, <c>pad_token</c> where set), then any extra variables
/// (e.g. <c>enable_thinking</c>).
/// </summary>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;

    public ChatTemplate(string name, string source, IReadOnlyDictionary<string, string> specialTokens)
    {
        Name = name;
        Source = source;
        SpecialTokens = specialTokens;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        _template = JinjaTemplate.Parse(name, source);
    }

    /// <summary>Where the template came from, as errors name it.</summary>
    public string Name { get; }
    public string Source { get; }
    /// <summary>sha256 of the template text (UTF-8), what results record to say which template made a prompt.</summary>
    public string Sha256 { get; }
    public IReadOnlyDictionary<string, string> SpecialTokens { get; }

    /// <summary>Renders one conversation: a JSON array of messages, each an object with a string "role".</summary>
    /// <exception cref="ChatTemplateRaisedException">the template refused the conversation (its own message).</exception>
    /// <exception cref="ChatTemplateException">the template cannot be rendered as transformers would.</exception>
    public string Render(JsonElement messages, bool addGenerationPrompt, IReadOnlyDictionary<string, JsonElement>? variables = null, DateTime? now = null)
    {
        CheckMessages(messages);
        var vars = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["messages"] = messages,
            ["add_generation_prompt"] = JsonSerializer.SerializeToElement(addGenerationPrompt),
            ["tools"] = JsonSerializer.SerializeToElement<object?>(null),
            ["documents"] = JsonSerializer.SerializeToElement<object?>(null),
        };
        foreach (var (k, v) in SpecialTokens) vars[k] = JsonSerializer.SerializeToElement(v);
        if (variables is not null) foreach (var (k, v) in variables) vars[k] = v;
        return _template.Render(vars, now);
    }

    /// <summary>
    /// transformers' <c>continue_final_message=True</c>: the conversation rendered without a generation prompt and cut
    /// right after the last message's text, so that the model continues it (lm-eval's <c>gen_prefix</c>). The cut is
    /// transformers': at the last occurrence of the stripped text, keeping its leading part when the template kept it.
    /// </summary>
    /// <exception cref="ChatTemplateException">the template drops part of the last message, so there is nothing to continue.</exception>
    public string RenderContinuingFinalMessage(JsonElement messages, IReadOnlyDictionary<string, JsonElement>? variables = null, DateTime? now = null)
    {
        string rendered = Render(messages, addGenerationPrompt: false, variables, now);
        var last = messages.EnumerateArray().LastOrDefault();
        if (last.ValueKind != JsonValueKind.Object || !last.TryGetProperty("content", out var c) || c.ValueKind != JsonValueKind.String)
            throw new FormatException("continuing the final message needs a last message with a string \"content\"");
        string final = c.GetString()!;
        string stripped = JinjaMethods.Strip(final, null, true, true);
        int at = rendered.LastIndexOf(stripped, StringComparison.Ordinal);
        if (at < 0)
            throw new ChatTemplateException(Name, 0, "the final message does not appear in the rendered chat (the template deletes part of it), so it cannot be continued");
        string leftStripped = JinjaMethods.Strip(final, null, true, false);
        // transformers: rendered[at : at + len(final.lstrip())] == final, i.e. no leading space and the trailing kept.
        bool spacingKept = at + leftStripped.Length <= rendered.Length && rendered.Substring(at, leftStripped.Length) == final;
        return rendered[..(at + (spacingKept ? leftStripped.Length : stripped.Length))];
    }

    /// <summary>What transformers requires of a conversation before the template sees it.</summary>
    public static void CheckMessages(JsonElement messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
            throw new FormatException($"a conversation must be a JSON array of {{\"role\", \"content\"}} messages, got {messages.ValueKind.ToString().ToLowerInvariant()}");
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new FormatException($"message {i + 1} must be a JSON object with \"role\" and \"content\", got {m.ValueKind.ToString().ToLowerInvariant()}");
            if (!m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String) throw new FormatException($"message {i + 1} has no string \"role\"");
            i++;
        }
    }
}
