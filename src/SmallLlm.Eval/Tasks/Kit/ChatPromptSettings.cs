using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>
/// <c>--apply-chat-template</c> with <c>--fewshot-as-multiturn</c> and <c>--system-instruction</c>: how a task turns
/// its few-shot examples and question into one prompt text through the model's chat template, as lm-evaluation-harness
/// does (<see cref="ChatFewshotContext"/>), and what the results record about it.
/// </summary>
public sealed record ChatPromptSettings(ChatTemplate Template, bool FewshotAsMultiturn, string? SystemInstruction)
{
    /// <summary>
    /// The rendered prompt for <paramref name="model"/>. When the model puts its BOS token before every prompt itself and
    /// the rendered text already starts with the BOS text (Llama 3's template writes <c>{{ bos_token }}</c>), that text
    /// is cut off, so the prompt has one BOS as under lm-eval (whose chat prompts are encoded without special tokens).
    /// </summary>
    public ChatPrompt Render(ILanguageModel model, IReadOnlyList<FewshotExample> shots, string question, string targetDelimiter,
        string fewshotDelimiter, string description = "", string? genPrefix = null)
    {
        var turns = ChatFewshotContext.Turns(SystemInstruction, description, shots, targetDelimiter, fewshotDelimiter,
            FewshotAsMultiturn, question, genPrefix);
        var prompt = ChatFewshotContext.Render(Template, turns, continueFinalTurn: !string.IsNullOrEmpty(genPrefix));
        return model.Identity.AddBos && Template.SpecialTokens.TryGetValue("bos_token", out var bos) && bos.Length > 0
            && prompt.Text.StartsWith(bos, StringComparison.Ordinal)
            ? prompt with { Text = prompt.Text[bos.Length..] }
            : prompt;
    }

    /// <summary>What the results' settings record (these change the prompts, so runs with other values are flagged).</summary>
    public void AddTo(IDictionary<string, object?> settings)
    {
        settings["apply_chat_template"] = true;
        settings["chat_template_sha256"] = Template.Sha256;
        settings["fewshot_as_multiturn"] = FewshotAsMultiturn;
        settings["system_instruction"] = SystemInstruction;
    }

    /// <summary>The warning when the template refused the system turn in some prompts and they were rendered without it (as lm-eval retries).</summary>
    public static string? SystemDroppedWarning(int dropped, int prompts) => dropped == 0 ? null
        : $"the chat template refused the system turn in {dropped} of {prompts} prompts; they were rendered without it (as lm-eval does)";
}
