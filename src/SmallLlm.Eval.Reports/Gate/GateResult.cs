namespace SmallLlm.Eval.Reports.Gate;

/// <summary>The checks, or why the inputs cannot be compared at all (then there are no checks and the exit code is 2).</summary>
public sealed record GateResult(IReadOnlyList<GateCheck> Checks, IReadOnlyList<string> Incomparable, IReadOnlyList<string> Warnings, double Alpha)
{
    public const int Holds = 0, Regressed = 1, CannotCompare = 2;

    public int Passed => Checks.Count(c => !c.Failed);
    public int Failed => Checks.Count(c => c.Failed);
    public int ExitCode => Incomparable.Count > 0 ? CannotCompare : Failed > 0 ? Regressed : Holds;
}
