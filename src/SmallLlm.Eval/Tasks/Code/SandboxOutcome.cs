namespace SmallLlm.Eval.Tasks.Code;

/// <summary>How one test program ended: passed (exit 0), failed (non-zero exit, signal, memory), timeout or error (the
/// sandbox itself could not run it). <see cref="Output"/> is the tail of stdout and stderr.</summary>
public sealed record SandboxOutcome(string Status, int? ExitCode, double Seconds, string Output)
{
    public bool Passed => Status == "passed";
}
