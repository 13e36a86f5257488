namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>A question (already phrased as a prompt stem), its choices and the index of the right one.</summary>
public sealed record MultipleChoiceDocument(int Index, string Query, IReadOnlyList<string> Choices, int Gold, string Source);
