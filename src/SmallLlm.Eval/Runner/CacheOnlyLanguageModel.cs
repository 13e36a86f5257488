using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// The model of a merged sharded run: its identity, tokenizer and prompt-fitting facts are the shards' model's, and
/// every answer must come from the merged request cache. Being asked to compute means a shard's answers are missing.
/// </summary>
public sealed class CacheOnlyLanguageModel(ModelIdentity identity, int contextLength, ITextTokenizer tokenizer, int? vocabSize = null) : ILanguageModel
{
    public ModelIdentity Identity => identity;
    public ModelDescription Description { get; } = new(vocabSize);
    public int ContextLength => contextLength;
    public ITextTokenizer Tokenizer => tokenizer;
    public long TokensProcessed => 0;
    public int CountPromptTokens(string text) => tokenizer.CountTokens(text) + (identity.AddBos ? 1 : 0);

    private static InvalidDataException Missing(int count) =>
        new($"{count} answers are in no shard's cache: a shard did not finish (rerun it with the same command, it resumes from its cache), or its cache was not copied with its folder");

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
}
