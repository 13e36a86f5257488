namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>One MMLU question: four choices and the index (0..3) of the right one.</summary>
public sealed record MmluQuestion(string Subject, string Split, int Index, string Question, IReadOnlyList<string> Choices, int Answer, string Source)
{
    public string Id => $"{Subject}/{Split}/{Index}";
    public static readonly string[] Letters = ["A", "B", "C", "D"];
}
