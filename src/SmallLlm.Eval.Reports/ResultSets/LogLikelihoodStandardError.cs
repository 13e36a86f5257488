using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// A bootstrap standard error over documents for a corpus log-likelihood metric (perplexities, bits per byte, nll),
/// which tasks report without one: resample documents with replacement, recompute Σ −log p / Σ units, transform to the
/// metric, and take the standard deviation. Null when the samples cannot recompute the reported value (to 1e-6
/// relative): a metric of another definition gets no made-up error.
/// </summary>
public static class LogLikelihoodStandardError
{
    public static double? Of(string metric, ResultMetric m, IReadOnlyDictionary<string, SampleRecord>? samples, int resamples = 1000, int seed = 1234)
    {
        var scale = LogLikelihoodScales.Of(metric, m);
        if (scale == LogLikelihoodScale.None || samples is null || samples.Count < 2) return null;
        var docs = Documents(samples.Values, MetricKinds.UnitFieldsFor(metric, m));
        if (docs is null) return null;
        double all = LogLikelihoodScales.FromNats(scale, docs.Sum(d => -d.LogLikelihood) / docs.Sum(d => d.Units));
        if (!double.IsFinite(all) || Math.Abs(all - m.Value) > 1e-6 * Math.Abs(m.Value)) return null;
        var random = new SeededRandom((ulong)seed);
        double sum = 0, sumSquares = 0;
        for (int s = 0; s < resamples; s++)
        {
            double ll = 0, units = 0;
            for (int i = 0; i < docs.Count; i++)
            {
                var d = docs[random.NextInt(docs.Count)];
                ll -= d.LogLikelihood; units += d.Units;
            }
            double v = LogLikelihoodScales.FromNats(scale, ll / units);
            sum += v; sumSquares += v * v;
        }
        double mean = sum / resamples;
        return Math.Sqrt(Math.Max(0, sumSquares / resamples - mean * mean) * resamples / (resamples - 1));
    }

    /// <summary>Each record's log-likelihood and unit count (the first positive of <paramref name="unitFields"/>), or null when one lacks them.</summary>
    public static List<(double LogLikelihood, double Units)>? Documents(IEnumerable<SampleRecord> records, string[] unitFields)
    {
        var docs = new List<(double, double)>();
        foreach (var r in records.OrderBy(r => r.DocId, StringComparer.Ordinal))
        {
            double? units = null;
            foreach (string f in unitFields) if (r.Units.TryGetValue(f, out double u) && u > 0) { units = u; break; }
            if (r.LogLikelihood is not double ll || units is not double n) return null;
            docs.Add((ll, n));
        }
        return docs;
    }
}
