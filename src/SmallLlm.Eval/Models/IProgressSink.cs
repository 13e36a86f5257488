namespace SmallLlm.Eval.Models;

/// <summary>Receives progress of long work: requests done out of a total, and the engine's running token count (-1: unknown).</summary>
public interface IProgressSink
{
    void Report(int done, int total, long tokens);

    public static readonly IProgressSink None = new NoProgress();

    private sealed class NoProgress : IProgressSink
    {
        public void Report(int done, int total, long tokens) { }
    }
}
