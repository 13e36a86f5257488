using System.Diagnostics;
using System.Globalization;
using SmallLlm.Eval.Engine.Training;

namespace SmallLlm.Eval.Cli;

/// <summary>The train progress line: step, loss, learning rate, gradient norm, tokens/s, MFU and ETA (redrawn on a terminal, every 10% otherwise).</summary>
public sealed class TrainingProgressLine(TextWriter writer, bool interactive)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _firstStep = -1;
    private bool _drawn;

    public void Report(TrainingStep s, int total)
    {
        if (_firstStep < 0) _firstStep = s.Step - 1;
        double perStep = _clock.Elapsed.TotalSeconds / Math.Max(1, s.Step - _firstStep);
        var eta = TimeSpan.FromSeconds(perStep * (total - s.Step));
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {s.Step}/{total}  loss {s.Loss:F4}  lr {s.LearningRate:G3}  grad {s.GradNorm:F3}  {s.TokensPerSecond:N0} tok/s  mfu {s.Mfu:P1}  eta {eta:hh\\:mm\\:ss}");
        if (interactive)
        {
            writer.Write("\r" + line.PadRight(100));
            _drawn = true;
        }
        else if (s.Step == total || s.Step % Math.Max(1, total / 10) == 0)
            writer.WriteLine(line);
    }

    public void Finish()
    {
        if (_drawn) writer.WriteLine();
    }
}
