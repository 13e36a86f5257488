namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// One metric of a results file: value, standard error (when the task gives one) and the number of documents;
/// <see cref="HigherIsBetter"/> when the file declares the metric's direction (else it is inferred from the name).
/// </summary>
public sealed record ResultMetric(double Value, double? Stderr, int N, bool? HigherIsBetter = null);
