namespace SmallLlm.Eval.Runner;

/// <summary>The user interrupted a run (Ctrl-C): the answers computed so far are committed to the request cache, and a
/// rerun of the same command computes only what is missing.</summary>
public sealed class RunInterruptedException(int committed, string? cachePath)
    : OperationCanceledException(cachePath is null
        ? "interrupted; no request cache (--no-cache), so nothing is kept for a rerun"
        : $"interrupted: {committed} answer(s) computed in this run are committed to the request cache {cachePath}; run the same command again to continue from there")
{
    public int Committed { get; } = committed;
}
