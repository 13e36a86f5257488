namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// One metric compared: values, the change, the tolerance and the p-value of the test used. It fails only when the
/// metric moved the wrong way by more than the tolerance and the move is significant.
/// </summary>
public sealed record GateCheck(string Model, string Task, string Metric, double Baseline, double Current, bool LowerIsBetter,
    Tolerance Tolerance, double AllowedDrop, double? PValue, string Test, bool Failed, string Reason)
{
    public double Delta => Current - Baseline;
}
