namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// One metric compared: values, the change, the tolerance and the p-value of the test used. It fails only when the
/// metric moved the wrong way by more than the tolerance and the move is significant. A check of an absolute
/// <see cref="Limit"/> has the bound in place of the baseline and fails when the value is beyond it.
/// </summary>
public sealed record GateCheck(string Model, string Task, string Metric, double Baseline, double Current, bool LowerIsBetter,
    Tolerance Tolerance, double AllowedDrop, double? PValue, string Test, bool Failed, string Reason)
{
    public double Delta => Current - Baseline;

    /// <summary>The absolute bound this check tested (then <see cref="Baseline"/> is the bound's value), or null for a comparison with a baseline.</summary>
    public MetricLimit? Limit { get; init; }

    /// <summary>Where the tolerance came from: "*.acc in bundled config …/eval.config.json", "floor 1e-4 relative (…)", "--tolerance".</summary>
    public string ToleranceOrigin { get; init; } = "";

    /// <summary>The p-value after Holm's correction across the metrics gated in this run: what the verdict uses.</summary>
    public double? AdjustedPValue { get; init; }

    /// <summary>The drop the run's n lets a test see with 80% power (<see cref="DetectableDifference"/>), when standard errors are known.</summary>
    public double? DetectableDrop { get; init; }
}
