using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// Ctrl-C (SIGINT) for long runs: the first one asks the run to stop after committing the answers in flight to the
/// request cache (the command then exits 130 saying what was kept); a second one aborts at once (the cache only
/// loses its uncommitted transaction).
/// </summary>
public sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _registration;
    private int _presses;

    public CancellationToken Token => _source.Token;

    public CtrlC(TextWriter log)
        : this(log, "interrupt: finishing the requests in flight and committing them to the request cache; Ctrl-C again to abort at once")
    {
    }

    /// <summary>With the line printed at the first Ctrl-C (what the command keeps when it stops).</summary>
    public CtrlC(TextWriter log, string firstPressMessage)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (Interlocked.Increment(ref _presses) > 1) return; // not cancelled: the runtime ends the process now
            context.Cancel = true;
            log.WriteLine("\n" + firstPressMessage);
            log.Flush();
            _source.Cancel();
        });
    }

    public void Dispose()
    {
        _registration.Dispose();
        _source.Dispose();
    }
}
