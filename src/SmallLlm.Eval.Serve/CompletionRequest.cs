namespace SmallLlm.Eval.Serve;

/// <summary>A parsed, validated <c>POST /v1/completions</c>: prompts as token ids (text prompts already tokenized).</summary>
/// <param name="PromptTexts">The prompt as given when it was text (echoed verbatim), else null.</param>
/// <param name="LogProbs">Top-N to return per token; null: no log-probabilities at all.</param>
public sealed record CompletionRequest(
    string? Model,
    IReadOnlyList<int[]> Prompts,
    IReadOnlyList<string?> PromptTexts,
    int MaxTokens,
    bool Echo,
    int? LogProbs,
    double Temperature,
    double TopP,
    ulong? Seed,
    IReadOnlyList<string> Stop,
    int N);
