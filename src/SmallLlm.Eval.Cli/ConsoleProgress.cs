using System.Diagnostics;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// A progress bar on stderr: requests done, ETA and tokens/s. On a terminal it redraws one line; when stderr is
/// redirected (CI logs) it prints a line every few seconds instead.
/// </summary>
public sealed class ConsoleProgress(TextWriter writer, string label, bool interactive) : IProgressSink
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lastDraw = -10;
    private long _tokensAtStart = -1;
    private double _tokenClockStart;
    private double _lastDone;

    public static ConsoleProgress ForStderr(string label) => new(Console.Error, label, !Console.IsErrorRedirected);

    public void Report(int done, int total, long tokens) => ReportPartial(done, total, tokens);

    public void ReportPartial(double done, int total, long tokens)
    {
        if (_tokensAtStart < 0 && tokens >= 0) { _tokensAtStart = tokens; _tokenClockStart = _clock.Elapsed.TotalSeconds; }
        double now = _clock.Elapsed.TotalSeconds;
        bool finished = done >= total;
        if (!finished && now - _lastDraw < (interactive ? 0.2 : 5)) return;
        if (finished && _lastDone >= total) return;
        _lastDraw = now;
        _lastDone = done;
        double fraction = total == 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        double tokenSeconds = now - _tokenClockStart;
        double tps = tokens >= 0 && _tokensAtStart >= 0 && tokenSeconds > 0.05 ? (tokens - _tokensAtStart) / tokenSeconds : 0;
        string eta = fraction > 0 && !finished ? Format(now / fraction - now) : "--:--";
        int width = 24, filled = (int)(fraction * width);
        string bar = new string('#', filled) + new string('.', width - filled);
        string count = done == Math.Floor(done) ? $"{done:F0}" : $"{done:F2}"; // a fraction: progress inside a long request
        string line = $"{label} [{bar}] {count}/{total} requests {fraction:P0} | {Format(now)} elapsed, ETA {eta} | {tps:F0} tok/s";
        if (interactive) writer.Write("\r" + line + (finished ? "\n" : ""));
        else writer.WriteLine(line);
        writer.Flush();
    }

    private static string Format(double seconds) =>
        seconds >= 3600 ? TimeSpan.FromSeconds(seconds).ToString(@"h\:mm\:ss") : TimeSpan.FromSeconds(seconds).ToString(@"mm\:ss");
}
