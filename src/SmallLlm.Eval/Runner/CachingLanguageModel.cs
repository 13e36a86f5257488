using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// Wraps a model with the request cache: identical requests are computed once, answers already in the cache are not
/// computed again, and new answers are committed chunk by chunk so an interrupted run resumes where it stopped.
/// Every answer is checked here, at the model boundary, so every backend is covered: a NaN or infinite
/// log-likelihood throws an InvalidDataException (exit code 2) naming the request and the model, or, with
/// <paramref name="allowNonFinite"/>, is passed on and counted (<see cref="NonFinite"/>). Such an answer is cached only
/// with <paramref name="allowNonFinite"/> (so a sharded run's merge sees what its shards recorded) and only trusted from
/// the cache with it: a run without the flag computes it again, and fails on it.
/// When <paramref name="interrupt"/> is cancelled (Ctrl-C), the chunk in flight is finished and committed, then a
/// <see cref="RunInterruptedException"/> stops the run.
/// </summary>
public sealed class CachingLanguageModel(ILanguageModel inner, RequestCache? cache, int chunkSize = 512, bool allowNonFinite = false,
    CancellationToken interrupt = default) : LanguageModelWrapper(inner)
{
    /// <summary>Answers committed to the cache over this wrapper's life.</summary>
    public int Committed { get; private set; }

    /// <summary>Requests answered from the cache (or deduplicated) instead of computed, over this wrapper's life.</summary>
    public int Reused { get; private set; }
    public int Computed { get; private set; }
    /// <summary>Requests answered with a NaN or infinite score (only with allowNonFinite), over this wrapper's life.</summary>
    public int NonFinite { get; private set; }

    private static bool IsFinite(ModelResponse r) => r switch
    {
        LoglikelihoodResponse l => double.IsFinite(l.LogLikelihood),
        RollingLoglikelihoodResponse l => double.IsFinite(l.LogLikelihood),
        _ => true,
    };

    private static string Describe(ModelRequest r)
    {
        static string Clip(string s) => s.Length <= 60 ? s : "..." + s[^57..];
        return r switch
        {
            LoglikelihoodRequest l => $"log-likelihood of '{Clip(l.Continuation)}' after '{Clip(l.Context)}'",
            RollingLoglikelihoodRequest l => $"rolling log-likelihood of a text of {l.Text.Length} characters starting '{(l.Text.Length <= 40 ? l.Text : l.Text[..40] + "...")}'",
            _ => r.GetType().Name,
        };
    }

    public override IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) =>
        Run(requests, progress, Inner.Loglikelihood);

    public override IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) =>
        Run(requests, progress, Inner.LoglikelihoodRolling);

    public override IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) =>
        Run(requests, progress, Inner.GenerateUntil);

    private IReadOnlyList<TResponse> Run<TRequest, TResponse>(IReadOnlyList<TRequest> requests, IProgressSink progress,
        Func<IReadOnlyList<TRequest>, IProgressSink, IReadOnlyList<TResponse>> compute)
        where TRequest : ModelRequest where TResponse : ModelResponse
    {
        string model = Inner.Identity.CacheKey;
        var keys = requests.Select(RequestCache.Key).ToArray();
        var known = cache?.Lookup<TResponse>(model, keys) ?? new Dictionary<string, TResponse>();
        if (!allowNonFinite)
            foreach (var key in known.Where(k => !IsFinite(k.Value)).Select(k => k.Key).ToList()) known.Remove(key);
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
            if (interrupt.IsCancellationRequested) throw new RunInterruptedException(Committed, cache?.Path);
            var chunk = missing.Skip(start).Take(chunkSize).ToList();
            int before = alreadyDone + start;
            var answers = compute(chunk.Select(c => c.Request).ToList(), new OffsetProgress(progress, before, total));
            for (int j = 0; j < chunk.Count; j++) known[chunk[j].Key] = answers[j];
            var kept = chunk.Select((c, j) => (c.Key, Answer: answers[j])).Where(a => allowNonFinite || IsFinite(a.Answer)).ToList();
            cache?.Store(model, kept);
            if (cache is not null) Committed += kept.Count;
            if (kept.Count < chunk.Count)
            {
                int bad = Enumerable.Range(0, chunk.Count).First(j => !IsFinite(answers[j]));
                double value = answers[bad] switch { LoglikelihoodResponse l => l.LogLikelihood, RollingLoglikelihoodResponse l => l.LogLikelihood, _ => double.NaN };
                throw new InvalidDataException($"model '{Inner.Identity.Name}' ({Inner.Identity.Path}) returned a {(double.IsNaN(value) ? "NaN" : value.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                    $"score for request {requests.ToList().IndexOf(chunk[bad].Request)} ({Describe(chunk[bad].Request)}), and {chunk.Count - kept.Count} of {chunk.Count} in its batch are not finite: " +
                    "its results cannot be trusted (broken weights or an overflow in this dtype?); --allow-nonfinite records such scores instead of failing");
            }
        }
        var responses = keys.Select(k => known[k]).ToList();
        NonFinite += responses.Count(r => !IsFinite(r)); // computed or cached alike: what the task is scored on
        return responses;
    }

    private sealed class OffsetProgress(IProgressSink inner, int offset, int total) : IProgressSink
    {
        public void Report(int done, int _, long tokens) => inner.Report(offset + done, total, tokens);
        public void ReportPartial(double done, int _, long tokens) => inner.ReportPartial(offset + done, total, tokens);
    }
}
