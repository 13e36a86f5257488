using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// The model of a merged sharded run: its identity and prompt-fitting facts are the shards' model's, and every answer
/// must come from the merged request cache. Being asked to compute means a shard's answers are missing.
/// </summary>
public sealed class CacheOnlyLanguageModel(ModelIdentity identity, int contextLength, Func<string, int> countPromptTokens, int? vocabSize = null) : ILanguageModel
{
    /// <summary>The shards' model's vocabulary size (recorded in results), when they knew it.</summary>
    public int? VocabSize => vocabSize;
    public ModelIdentity Identity => identity;
    public int ContextLength => contextLength;
    public int CountPromptTokens(string text) => countPromptTokens(text);

    private static InvalidDataException Missing(int count) =>
        new($"{count} answers are in no shard's cache: a shard did not finish (rerun it with the same command, it resumes from its cache), or its cache was not copied with its folder");

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) => throw Missing(requests.Count);
}
