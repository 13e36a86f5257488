namespace SmallLlm.Eval.Models;

/// <summary>Receives progress of long work: requests done out of a total, and the engine's running token count (-1: unknown).</summary>
public interface IProgressSink
{
    void Report(int done, int total, long tokens);

    /// <summary>
    /// Progress inside requests: <paramref name="done"/> may be fractional (a long document scored window by window is
    /// 0.37 done), so a one-document task does not sit at 0 % for minutes. Sinks that show only whole requests round down.
    /// </summary>
    void ReportPartial(double done, int total, long tokens) => Report((int)done, total, tokens);

    public static readonly IProgressSink None = new NoProgress();

    private sealed class NoProgress : IProgressSink
    {
        public void Report(int done, int total, long tokens) { }
    }
}
