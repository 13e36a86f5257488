using System.Diagnostics;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Models;

/// <summary>
/// Times a model's calls, whatever the backend: the runner splits a task's wall time into time inside the model and
/// harness overhead, and reports tokens per second from <see cref="ILanguageModel.TokensProcessed"/>.
/// </summary>
public sealed class MeteredLanguageModel(ILanguageModel inner) : LanguageModelWrapper(inner)
{
    /// <summary>Time spent inside the model's three calls.</summary>
    public Stopwatch ModelTime { get; } = new();

    public override IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) =>
        Timed(() => Inner.Loglikelihood(requests, progress));

    public override IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) =>
        Timed(() => Inner.LoglikelihoodRolling(requests, progress));

    public override IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) =>
        Timed(() => Inner.GenerateUntil(requests, progress));

    private T Timed<T>(Func<T> call)
    {
        ModelTime.Start();
        try { return call(); }
        finally { ModelTime.Stop(); }
    }
}
