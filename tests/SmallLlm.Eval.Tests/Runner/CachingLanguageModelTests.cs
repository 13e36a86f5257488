using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>The cache wrapper around a counting test double (the real engine path is tested end to end elsewhere).</summary>
public class CachingLanguageModelTests
{
    private sealed class CountingModel : ILanguageModel
    {
        public List<int> BatchSizes { get; } = new();
        public ModelIdentity Identity { get; } = new("count", "count", "sha", "fp32", 1, "tok", true, "count-model");
        public ModelDescription Description { get; } = new(VocabSize: null);
        public int ContextLength => 100;
        public SmallLlm.Eval.Tokenizers.ITextTokenizer Tokenizer => SmallLlm.Eval.Tokenizers.TokenizerCatalog.Resolve("tok512");
        public long TokensProcessed => 0;
        public int CountPromptTokens(string text) => text.Length;

        public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
        {
            BatchSizes.Add(requests.Count);
            return requests.Select(r => new LoglikelihoodResponse(-r.Continuation.Length - r.Context.Length / 100.0, false, 1, false)).ToList();
        }

        public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) =>
            requests.Select(r => new RollingLoglikelihoodResponse(-r.Text.Length, r.Text.Length)).ToList();

        public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) =>
            requests.Select(r => new GenerateResponse(r.Context.ToUpperInvariant(), 1)).ToList();
    }

    [Fact]
    public void Identical_requests_are_computed_once_and_answers_come_back_in_order()
    {
        var inner = new CountingModel();
        var model = new CachingLanguageModel(inner, cache: null);
        var requests = new[] { new LoglikelihoodRequest("ctx", " A"), new LoglikelihoodRequest("ctx", " BB"), new LoglikelihoodRequest("ctx", " A") };
        var answers = model.Loglikelihood(requests, IProgressSink.None);
        Assert.Equal([2], inner.BatchSizes);
        Assert.Equal(answers[0], answers[2]);
        Assert.Equal(-3.03, answers[1].LogLikelihood, 9);
    }

    [Fact]
    public void A_second_run_reads_the_cache_and_computes_only_what_is_missing()
    {
        string db = Path.Combine(RepoPaths.Temp("cache"), "requests.sqlite");
        var first = new CountingModel();
        using (var cache = new RequestCache(db))
            new CachingLanguageModel(first, cache, chunkSize: 2).Loglikelihood(
                Enumerable.Range(0, 5).Select(i => new LoglikelihoodRequest("c", new string('x', i + 1))).ToList(), IProgressSink.None);
        Assert.Equal([2, 2, 1], first.BatchSizes); // committed chunk by chunk

        var second = new CountingModel();
        using (var cache = new RequestCache(db))
        {
            var wrapper = new CachingLanguageModel(second, cache);
            var answers = wrapper.Loglikelihood(Enumerable.Range(0, 7).Select(i => new LoglikelihoodRequest("c", new string('x', i + 1))).ToList(), IProgressSink.None);
            Assert.Equal([2], second.BatchSizes);
            Assert.Equal(5, wrapper.Reused);
            Assert.Equal(-7.01, answers[6].LogLikelihood, 9);
        }
    }

    [Fact]
    public void Generate_requests_are_compared_by_value()
    {
        var a = new GenerateRequest("p", ["\n"], 5, 0, 1);
        var b = new GenerateRequest("p", new List<string> { "\n" }, 5, 0, 1);
        Assert.Equal(a, b);
        Assert.Equal(RequestCache.Key(a), RequestCache.Key(b));
        Assert.NotEqual(RequestCache.Key(a), RequestCache.Key(a with { Seed = 2 }));
    }
}
