using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>
/// Requests that carry their own answers (lm-evaluation-harness's Instance): a plan adds a request and keeps the
/// handle; the runner's answers are bound before scoring, so scoring reads <c>handle.Value</c> instead of doing offset
/// arithmetic over one flat response list.
/// </summary>
public sealed class RequestSet
{
    private readonly List<ModelRequest> _requests = new();
    private IReadOnlyList<ModelResponse>? _answers;

    public IReadOnlyList<ModelRequest> Requests => _requests;

    public Answer<LoglikelihoodResponse> Loglikelihood(string context, string continuation) => Add<LoglikelihoodResponse>(new LoglikelihoodRequest(context, continuation));
    public Answer<RollingLoglikelihoodResponse> RollingLoglikelihood(string text) => Add<RollingLoglikelihoodResponse>(new RollingLoglikelihoodRequest(text));
    public Answer<GenerateResponse> Generate(GenerateRequest request) => Add<GenerateResponse>(request);

    private Answer<T> Add<T>(ModelRequest request) where T : ModelResponse
    {
        _requests.Add(request);
        return new Answer<T>(this, _requests.Count - 1);
    }

    internal void Bind(IReadOnlyList<ModelResponse> answers) =>
        _answers = answers.Count == _requests.Count ? answers
            : throw new InvalidOperationException($"{answers.Count} answers for {_requests.Count} requests");

    internal ModelResponse Get(int index) =>
        _answers?[index] ?? throw new InvalidOperationException("answers exist only while the plan is being scored");
}

/// <summary>The answer to one request of a <see cref="RequestSet"/>, readable once the answers are bound.</summary>
public sealed class Answer<T>(RequestSet set, int index) where T : ModelResponse
{
    public T Value => set.Get(index) as T ?? throw new InvalidOperationException($"request {index} was not answered with a {typeof(T).Name}");
}
