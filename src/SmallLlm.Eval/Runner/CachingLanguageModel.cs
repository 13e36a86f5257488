using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// Wraps a model with the request cache: identical requests are computed once, answers already in the cache are not
/// computed again, and new answers are committed chunk by chunk so an interrupted run resumes where it stopped.
/// </summary>
public sealed class CachingLanguageModel(ILanguageModel inner, RequestCache? cache, int chunkSize = 512) : ILanguageModel
{
    public ModelIdentity Identity => inner.Identity;
    public int ContextLength => inner.ContextLength;
    public int CountPromptTokens(string text) => inner.CountPromptTokens(text);

    /// <summary>Requests answered from the cache (or deduplicated) instead of computed, over this wrapper's life.</summary>
    public int Reused { get; private set; }
    public int Computed { get; private set; }

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) =>
        Run(requests, progress, inner.Loglikelihood);

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) =>
        Run(requests, progress, inner.LoglikelihoodRolling);

    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) =>
        Run(requests, progress, inner.GenerateUntil);

    private IReadOnlyList<TResponse> Run<TRequest, TResponse>(IReadOnlyList<TRequest> requests, IProgressSink progress,
        Func<IReadOnlyList<TRequest>, IProgressSink, IReadOnlyList<TResponse>> compute)
        where TRequest : ModelRequest where TResponse : ModelResponse
    {
        string model = inner.Identity.CacheKey;
        var keys = requests.Select(RequestCache.Key).ToArray();
        var known = cache?.Lookup<TResponse>(model, keys) ?? new Dictionary<string, TResponse>();
        // Unique missing requests, in first-seen order.
        var missing = new List<(string Key, TRequest Request)>();
        var seen = new HashSet<string>(known.Keys);
        for (int i = 0; i < requests.Count; i++)
            if (seen.Add(keys[i])) missing.Add((keys[i], requests[i]));

        int total = requests.Count, alreadyDone = total - missing.Count;
        Reused += alreadyDone;
        Computed += missing.Count;
        progress.Report(alreadyDone, total, -1); // tokens unknown here
        for (int start = 0; start < missing.Count; start += chunkSize)
        {
            var chunk = missing.Skip(start).Take(chunkSize).ToList();
            int before = alreadyDone + start;
            var answers = compute(chunk.Select(c => c.Request).ToList(), new OffsetProgress(progress, before, total));
            for (int j = 0; j < chunk.Count; j++) known[chunk[j].Key] = answers[j];
            cache?.Store(model, chunk.Select((c, j) => (c.Key, answers[j])));
        }
        return keys.Select(k => known[k]).ToList();
    }

    private sealed class OffsetProgress(IProgressSink inner, int offset, int total) : IProgressSink
    {
        public void Report(int done, int _, long tokens) => inner.Report(offset + done, total, tokens);
        public void ReportPartial(double done, int _, long tokens) => inner.ReportPartial(offset + done, total, tokens);
    }
}
