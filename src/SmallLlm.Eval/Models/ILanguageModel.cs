using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>
/// What tasks and the runner see of a model: three batched calls, enough about the model to fit prompts to it, its
/// tokenizer, and what the results record about it. Nothing here is engine-specific, so any backend (the built-in
/// engine, llama.cpp, a remote server) runs any task.
/// </summary>
public interface ILanguageModel
{
    ModelIdentity Identity { get; }

    /// <summary>What the results record about the backend beyond its identity (vocabulary, how the precision was chosen).</summary>
    ModelDescription Description { get; }

    /// <summary>Most tokens the model attends to (prompt + continuation).</summary>
    int ContextLength { get; }

    /// <summary>The tokenizer prompts are encoded with (tasks that measure tokenization count with it).</summary>
    ITextTokenizer Tokenizer { get; }

    /// <summary>Tokens the backend has processed so far (prompts and generated tokens; padding not counted), for tokens/s.</summary>
    long TokensProcessed { get; }

    /// <summary>Tokens <paramref name="text"/> takes in this model's prompt format (BOS included when the model adds one).</summary>
    int CountPromptTokens(string text);

    IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress);

    IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress);

    IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress);
}

/// <summary>Who is answering: enough to tell two models apart in results and in the request cache.</summary>
/// <param name="WeightsSha256">Hash of the checkpoint bytes.</param>
/// <param name="CacheKey">Everything that changes answers: weights, dtype, tokenizer, prompt format.</param>
/// <param name="RollingStride">Tokens each rolling window advances (null: disjoint windows of the full context).</param>
/// <param name="Backend">What runs the model: "torch" (the built-in engine) or "llamacpp".</param>
/// <param name="BackendSettings">Backend settings that change answers (llama.cpp: KV-cache type, flash attention).</param>
public sealed record ModelIdentity(string Name, string Path, string WeightsSha256, string DType, long Parameters,
    string Tokenizer, bool AddBos, string CacheKey, int? RollingStride = null, string Backend = "torch", string? BackendSettings = null);
