namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>
/// lm-evaluation-harness's MMLU prompt, character for character: a description line, k solved dev questions, then the
/// question ending in "Answer:"; the scored continuations are " A" .. " D".
/// </summary>
public static class MmluPrompt
{
    public static string Description(string subject) =>
        $"The following are multiple choice questions (with answers) about {MmluSubjects.Display(subject)}.\n\n";

    /// <summary>doc_to_text: the question stripped, the choices as given (not stripped).</summary>
    public static string Question(MmluQuestion q) =>
        $"{q.Question.Trim()}\nA. {q.Choices[0]}\nB. {q.Choices[1]}\nC. {q.Choices[2]}\nD. {q.Choices[3]}\nAnswer:";

    public static string Shot(MmluQuestion q) => Question(q) + " " + MmluQuestion.Letters[q.Answer];

    public static string Build(string subject, IReadOnlyList<MmluQuestion> shots, MmluQuestion question)
    {
        var fewshot = shots.Count == 0 ? "" : string.Join("\n\n", shots.Select(Shot)) + "\n\n";
        return Description(subject) + fewshot + Question(question);
    }

    public static readonly string[] Continuations = [" A", " B", " C", " D"];
}
