namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// What the gate's paired tests need of one per-sample record: the document id, whether each accuracy-type metric
/// was right, and for perplexity-type tasks the document's log-likelihood and its unit counts (tokens, bytes, words).
/// </summary>
public sealed record SampleRecord(string DocId, IReadOnlyDictionary<string, bool> Correct, double? LogLikelihood,
    IReadOnlyDictionary<string, double> Units)
{
    /// <summary>How many choices the document had (the length of its "loglikelihoods"), for multiple-choice tasks; else null.</summary>
    public int? Choices { get; init; }
}
