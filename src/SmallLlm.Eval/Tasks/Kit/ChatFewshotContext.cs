using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>One chat message as lm-eval builds them for <c>apply_chat_template</c>.</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>A prompt rendered through a chat template, and whether the system turn had to be dropped (see <see cref="ChatFewshotContext.Render"/>).</summary>
public sealed record ChatPrompt(string Text, bool SystemDropped);

/// <summary>
/// lm-evaluation-harness's chat prompt (<c>fewshot_context</c> with <c>apply_chat_template=True</c>, for a question
/// that is text): the system turn is the system instruction and the task description joined by the few-shot
/// delimiter (either alone when the other is empty); the shots follow as one user turn (<c>get_context</c>'s text) or,
/// with <c>fewshot_as_multiturn</c>, as user/assistant pairs (<c>get_chat_context</c>); the question is appended by
/// <c>append_target_question</c> (to the last user turn unless multiturn or after a system turn); a
/// <c>gen_prefix</c> goes before every shot's target (followed by a space) and opens the assistant's reply.
/// </summary>
public static class ChatFewshotContext
{
    public static List<ChatTurn> Turns(string? systemInstruction, string description, IReadOnlyList<FewshotExample> shots,
        string targetDelimiter, string fewshotDelimiter, bool fewshotAsMultiturn, string question, string? genPrefix)
    {
        var turns = new List<ChatTurn>();
        string system = systemInstruction is not null && description.Length > 0 ? systemInstruction + fewshotDelimiter + description
            : systemInstruction ?? description;
        if (system.Length > 0) turns.Add(new ChatTurn("system", system));
        string prefix = string.IsNullOrEmpty(genPrefix) ? "" : genPrefix + " ";
        if (shots.Count > 0)
        {
            if (fewshotAsMultiturn)
            {
                foreach (var shot in shots)
                {
                    turns.Add(new ChatTurn("user", shot.Text));
                    turns.Add(new ChatTurn("assistant", prefix + shot.Target));
                }
            }
            else
            {
                // get_context puts the prefix between the target delimiter and each non-empty target.
                var prefixed = shots.Select(s => s.Target.Length == 0 ? s : s with { Target = prefix + s.Target });
                turns.Add(new ChatTurn("user", FewshotContext.Examples(prefixed, targetDelimiter, fewshotDelimiter)));
            }
        }
        if (!fewshotAsMultiturn && turns.Count > 0 && turns[^1].Role != "system") turns[^1] = turns[^1] with { Content = turns[^1].Content + question };
        else turns.Add(new ChatTurn("user", question));
        if (!string.IsNullOrEmpty(genPrefix)) turns.Add(new ChatTurn("assistant", genPrefix));
        return turns;
    }

    /// <summary>
    /// lm-eval's <c>HFLM.apply_chat_template</c>: with a generation prompt unless the last turn is a gen_prefix to
    /// continue (<c>continue_final_message</c>); when the template refuses the conversation (e.g. "System role not
    /// supported"), once more without the system turns, which the result says. lm-eval retries on any Jinja
    /// TemplateError; here on the template's own raise_exception only (our other refusals are not all TemplateErrors
    /// in Python), so an undefined-attribute failure that lm-eval would retry is an error here.
    /// </summary>
    public static ChatPrompt Render(ChatTemplate template, IReadOnlyList<ChatTurn> turns, bool continueFinalTurn)
    {
        try
        {
            return new ChatPrompt(RenderOnce(template, turns, continueFinalTurn), SystemDropped: false);
        }
        catch (ChatTemplateRaisedException) when (turns.Any(t => t.Role == "system"))
        {
            return new ChatPrompt(RenderOnce(template, [.. turns.Where(t => t.Role != "system")], continueFinalTurn), SystemDropped: true);
        }
    }

    private static string RenderOnce(ChatTemplate template, IReadOnlyList<ChatTurn> turns, bool continueFinalTurn)
    {
        var messages = JsonSerializer.SerializeToElement(turns.Select(t => new Dictionary<string, string> { ["role"] = t.Role, ["content"] = t.Content }));
        return continueFinalTurn ? template.RenderContinuingFinalMessage(messages) : template.Render(messages, addGenerationPrompt: true);
    }
}
