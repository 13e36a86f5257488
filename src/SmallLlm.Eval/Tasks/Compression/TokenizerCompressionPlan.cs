using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Tasks.Compression;

/// <summary>Counts the corpora when scored (there are no model answers): the first tokenizer is the model's.</summary>
public sealed class TokenizerCompressionPlan(CorpusCounter counter, IReadOnlyList<string> corpora, int skippedFiles) : TaskPlan
{
    public required string Task { get; init; }

    public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
    {
        var report = counter.Count(corpora);
        var total = new FileCounts(counter.Tokenizers.Count);
        foreach (var f in report.Files) total.Add(f.Counts);
        int n = report.Files.Count;
        double PerByte(FileCounts c, int t) => c.Bytes == 0 ? double.NaN : (double)c.Tokens[t] / c.Bytes;

        var metrics = new Dictionary<string, MetricValue>
        {
            ["tokens_per_byte"] = new(PerByte(total, 0), null, n),
            ["bytes_per_token"] = new(CompressionReport.BytesPerToken(total, 0), null, n),
            ["tokens_per_word"] = new(CompressionReport.TokensPerWord(total, 0), null, n),
        };
        for (int t = 1; t < counter.Tokenizers.Count; t++)
            metrics[$"tokens_per_byte:{counter.Tokenizers[t].Name}"] = new(PerByte(total, t), null, n);

        var breakdown = new Dictionary<string, IReadOnlyDictionary<string, MetricValue>>();
        for (int t = 0; t < counter.Tokenizers.Count; t++)
            breakdown[$"tokens_per_byte:{counter.Tokenizers[t].Name}"] = corpora.ToDictionary(
                c => Path.GetFileName(Path.TrimEndingDirectorySeparator(c)),
                c => new MetricValue(PerByte(report.CorpusTotal(c), t), null, report.Files.Count(f => f.File.Corpus == c)));

        var samples = report.Files.Select((f, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["doc_id"] = i, ["corpus"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(f.File.Corpus)), ["file"] = f.File.RelativePath,
            ["bytes"] = f.Counts.Bytes, ["words"] = f.Counts.Words,
            ["tokens"] = counter.Tokenizers.Select((t, j) => (t.Name, f.Counts.Tokens[j])).ToDictionary(x => x.Name, x => x.Item2),
        }).ToList();
        var counts = new Dictionary<string, long>
        {
            ["bytes"] = total.Bytes, ["words"] = total.Words, ["tokens"] = total.Tokens[0], ["files"] = n,
            ["files_skipped"] = Math.Max(skippedFiles, report.Skipped.Count), ["invalid_utf8_sequences"] = total.InvalidSequences,
        };
        // Ratios of corpus totals: fewer tokens per byte (more bytes per token) is better compression.
        var ratio = new MetricDeclaration(false, "corpus_ratio", false, null);
        var declared = new List<(string, MetricDeclaration)> { ("bytes_per_token", ratio with { HigherIsBetter = true }), ("tokens_per_byte", ratio), ("tokens_per_word", ratio) };
        declared.AddRange(metrics.Keys.Where(k => k.StartsWith("tokens_per_byte:", StringComparison.Ordinal)).Select(k => (k, ratio)));
        return new TaskScores { Metrics = metrics, Declarations = MetricDeclarations.For(Task, metrics, declared, ListedMetrics), Breakdown = breakdown, Counts = counts, Samples = samples };
    }
}
