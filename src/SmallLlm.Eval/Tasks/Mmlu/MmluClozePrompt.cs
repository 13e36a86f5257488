namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>
/// MMLU in the cloze formulation lighteval runs for the SmolLM models (HuggingFaceTB's custom task
/// <c>mmlu_cloze_prompt</c>): no lettered options; "The following are questions about {subject}.\nQuestion:
/// {question}\nAnswer:" with each answer's own text, after a space, as the scored continuation.
/// </summary>
public static class MmluClozePrompt
{
    /// <summary>The query: the question as given (lighteval does not strip it).</summary>
    public static string Question(MmluQuestion q) =>
        $"The following are questions about {MmluSubjects.Display(q.Subject)}.\nQuestion: {q.Question}\nAnswer:";

    /// <summary>The choices: " " + each answer text.</summary>
    public static IReadOnlyList<string> Continuations(MmluQuestion q) => q.Choices.Select(c => " " + c).ToList();
}
