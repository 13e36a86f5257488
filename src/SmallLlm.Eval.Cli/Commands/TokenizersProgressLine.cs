using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>A one-line progress bar with MB/s, redrawn at most four times a second on stderr.</summary>
public sealed class TokenizersProgressLine(TextWriter error) : IProgress<CountProgress>, IDisposable
{
    private readonly object _gate = new();
    private DateTime _last = DateTime.MinValue;
    private bool _drawn;

    public void Report(CountProgress p)
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            if ((now - _last).TotalMilliseconds < 250 && p.BytesDone < p.BytesTotal) return;
            _last = now;
            double fraction = p.BytesTotal > 0 ? (double)p.BytesDone / p.BytesTotal : 1;
            int filled = (int)Math.Round(fraction * 30);
            error.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {p.BytesDone / 1e6,8:F1}/{p.BytesTotal / 1e6:F1} MB {p.MegabytesPerSecond,6:F1} MB/s  {p.FilesDone}/{p.FilesTotal} files");
            _drawn = true;
        }
    }

    public void Finish()
    {
        lock (_gate) if (_drawn) { error.WriteLine(); _drawn = false; }
    }

    public void Dispose() => Finish();
}
