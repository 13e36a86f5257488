using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// Paired bootstrap over documents for perplexity-type metrics: resample documents with replacement (the same
/// documents for both runs), recompute each run's negative log-likelihood per unit (token, byte, word) and count how
/// often the difference changes sign. Perplexity and bits per byte are monotone in that quantity, so the test holds
/// for all of them. A document whose two values differ by at most <c>tieNats</c> per unit is a tie (both take the
/// baseline's value): float noise between engines cannot add up to a "significant" difference. Seeded with <see cref="SeededRandom"/>: the same inputs give the same p-value on every runtime.
/// </summary>
public static class PairedBootstrap
{
    public sealed record Document(double BaselineLogLikelihood, double CurrentLogLikelihood, double BaselineUnits, double CurrentUnits);

    public static double PValue(IReadOnlyList<Document> docs, int samples = 2000, int seed = 1234, double tieNats = 0)
    {
        if (docs.Count == 0) throw new ArgumentException("paired bootstrap needs at least one document");
        docs = docs.Select(d => Math.Abs(d.CurrentLogLikelihood / d.CurrentUnits - d.BaselineLogLikelihood / d.BaselineUnits) <= tieNats
            ? d with { CurrentLogLikelihood = d.BaselineLogLikelihood, CurrentUnits = d.BaselineUnits } : d).ToList();
        double observed = Delta(docs, Enumerable.Range(0, docs.Count));
        if (observed == 0) return 1.0;
        var random = new SeededRandom((ulong)seed);
        int opposite = 0;
        var pick = new int[docs.Count];
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < pick.Length; i++) pick[i] = random.NextInt(docs.Count);
            double d = Delta(docs, pick);
            if (Math.Sign(d) != Math.Sign(observed)) opposite++;
        }
        // Two-sided, with +1 smoothing so a finite bootstrap never claims p = 0.
        return Math.Min(1.0, 2.0 * (opposite + 1) / (samples + 1));
    }

    /// <summary>Current minus baseline negative log-likelihood per unit over the picked documents.</summary>
    private static double Delta(IReadOnlyList<Document> docs, IEnumerable<int> picks)
    {
        double llB = 0, llC = 0, uB = 0, uC = 0;
        foreach (int i in picks)
        {
            var d = docs[i];
            llB += d.BaselineLogLikelihood; llC += d.CurrentLogLikelihood; uB += d.BaselineUnits; uC += d.CurrentUnits;
        }
        return -llC / uC - (-llB / uB);
    }
}
