using System.Numerics;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>How lm-evaluation-harness picks few-shot documents (its <c>fewshot_config.sampler</c>).</summary>
public enum FewshotSampling
{
    /// <summary>"default": <c>rnd.sample(fewshot_docs, n)</c> for each evaluated document, in order.</summary>
    Random,

    /// <summary>"first_n": the first n few-shot documents, in file order (MMLU's dev shots).</summary>
    FirstN,
}

/// <summary>
/// lm-evaluation-harness's few-shot selection (<c>lm_eval/api/samplers.py</c> <c>ContextSampler.get_context</c> and
/// <c>sample</c>, <c>FirstNSampler</c>): one <c>random.Random(fewshot_random_seed)</c> per task (seed 1234 by default),
/// drawn from once per evaluated document, in evaluation order, and only when k &gt; 0. When the task's few-shot split
/// equals its test split in lm-eval's config (<c>fewshot_split == test_split</c>, which is also true when both are
/// unset), k + 1 documents are drawn and any equal to the evaluated one removed before keeping the first k. A sampler
/// must therefore be used for exactly the documents lm-eval would evaluate, in the same order, to give its shots.
/// </summary>
public sealed class FewshotSampler<T>
{
    /// <summary>lm-eval's <c>fewshot_random_seed</c> default (the fourth value of <c>--seed</c>).</summary>
    public const int DefaultSeed = 1234;

    private readonly IReadOnlyList<T> _docs;
    private readonly FewshotSampling _sampling;
    private readonly bool _drawOneMore;
    private readonly Func<T, T, bool> _equal;
    private readonly PythonRandom _random;

    /// <param name="fewshotDocs">The few-shot split, in its file order.</param>
    /// <param name="sampling">lm-eval's sampler name.</param>
    /// <param name="fewshotSplitIsTestSplit">lm-eval's <c>fewshot_split == test_split</c> for this task's config.</param>
    /// <param name="equal">Python's <c>x != doc</c> on the two documents (their field values, not their position).</param>
    /// <param name="seed">lm-eval's <c>fewshot_random_seed</c>.</param>
    public FewshotSampler(IReadOnlyList<T> fewshotDocs, FewshotSampling sampling, bool fewshotSplitIsTestSplit,
        Func<T, T, bool> equal, BigInteger? seed = null)
    {
        _docs = fewshotDocs;
        _sampling = sampling;
        _drawOneMore = fewshotSplitIsTestSplit;
        _equal = equal;
        _random = new PythonRandom(seed ?? DefaultSeed);
    }

    public int Count => _docs.Count;

    /// <summary>The shots for <paramref name="document"/> (at most <paramref name="k"/>; fewer only when an equal
    /// document was drawn more than once), advancing the generator as lm-eval does.</summary>
    public IReadOnlyList<T> Draw(T document, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k == 0) return []; // fewshot_context calls the sampler only when num_fewshot > 0
        int n = _drawOneMore ? k + 1 : k;
        if (n > _docs.Count)
            throw new ArgumentException($"{k} shots need {n} few-shot documents (lm-eval draws {n} here), but the few-shot split has {_docs.Count}");
        IEnumerable<T> drawn = _sampling == FewshotSampling.FirstN ? _docs.Take(n) : _random.Sample(_docs, n);
        return drawn.Where(x => !_equal(x, document)).Take(k).ToList();
    }

    /// <summary>Parses lm-eval's sampler names ("default", "first_n").</summary>
    public static FewshotSampling ParseSampling(string name, string where) => name switch
    {
        "default" => FewshotSampling.Random,
        "first_n" => FewshotSampling.FirstN,
        _ => throw new InvalidDataException($"{where}: fewshot_sampler must be 'default' (lm-eval's random sample) or 'first_n', got '{name}'"),
    };
}
