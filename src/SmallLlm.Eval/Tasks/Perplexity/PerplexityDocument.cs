namespace SmallLlm.Eval.Tasks.Perplexity;

/// <summary>One scored document: its text and where it starts (file:line).</summary>
public sealed record PerplexityDocument(int Index, string Text, string Source);
