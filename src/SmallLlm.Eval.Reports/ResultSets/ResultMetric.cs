namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>One metric of a results file: value, standard error (when the task gives one) and the number of documents.</summary>
public sealed record ResultMetric(double Value, double? Stderr, int N);
