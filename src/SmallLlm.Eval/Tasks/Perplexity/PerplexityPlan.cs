using System.Text;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Results;

namespace SmallLlm.Eval.Tasks.Perplexity;

/// <summary>Scores rolling log-likelihoods: corpus sums first, then each perplexity from the sums.</summary>
public sealed class PerplexityPlan(IReadOnlyList<PerplexityDocument> documents) : TaskPlan
{
    public required IReadOnlyDictionary<string, long> FileCounts { get; init; }
    public required string Task { get; init; }

    /// <summary>Corpus figures from Σ log-likelihood over Σ units (the samples hold "loglikelihood" and the units).</summary>
    public static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
    [
        ("word_perplexity", MetricDeclaration.PerUnit("words")), ("token_perplexity", MetricDeclaration.PerUnit("tokens")),
        ("byte_perplexity", MetricDeclaration.PerUnit("bytes")), ("bits_per_byte", MetricDeclaration.PerUnit("bytes")),
        ("nll_per_token", MetricDeclaration.PerUnit("tokens")),
    ];

    public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
    {
        double logLikelihood = 0;
        long tokens = 0, words = 0, bytes = 0;
        var samples = new List<IReadOnlyDictionary<string, object?>>(documents.Count);
        for (int i = 0; i < documents.Count; i++)
        {
            var r = (RollingLoglikelihoodResponse)responses[i];
            var doc = documents[i];
            long w = PerplexityMetrics.WordCount(doc.Text), b = Encoding.UTF8.GetByteCount(doc.Text);
            logLikelihood += r.LogLikelihood;
            tokens += r.Tokens;
            words += w;
            bytes += b;
            samples.Add(new Dictionary<string, object?>
            {
                ["doc_id"] = doc.Index, ["source"] = SampleSource.Portable(doc.Source), ["loglikelihood"] = r.LogLikelihood,
                ["tokens"] = r.Tokens, ["words"] = w, ["bytes"] = b,
                ["token_perplexity"] = PerplexityMetrics.Perplexity(r.LogLikelihood, r.Tokens),
                ["bits_per_byte"] = PerplexityMetrics.BitsPerByte(r.LogLikelihood, b),
            });
        }
        int n = documents.Count;
        MetricValue M(double v) => new(v, null, n);
        var metrics = new Dictionary<string, MetricValue>
            {
                ["token_perplexity"] = M(PerplexityMetrics.Perplexity(logLikelihood, tokens)),
                ["word_perplexity"] = M(PerplexityMetrics.Perplexity(logLikelihood, words)),
                ["byte_perplexity"] = M(PerplexityMetrics.Perplexity(logLikelihood, bytes)),
                ["bits_per_byte"] = M(PerplexityMetrics.BitsPerByte(logLikelihood, bytes)),
                ["nll_per_token"] = M(tokens == 0 ? double.NaN : -logLikelihood / tokens),
            };
        return new TaskScores
        {
            Metrics = metrics,
            Declarations = MetricDeclarations.For(Task, metrics, Declared, ListedMetrics),
            Counts = new Dictionary<string, long>(FileCounts) { ["tokens"] = tokens, ["words"] = words, ["bytes"] = bytes },
            Samples = samples,
        };
    }
}
