using System.Globalization;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Engine.Training;

namespace SmallLlm.Eval.Training;

/// <summary>
/// train_log.jsonl: one JSON object per step, {step, tokens, loss, lr, grad_norm, tokens_per_second, mfu}, flushed as
/// it is written. A resumed run first drops the lines past its checkpoint, so the log reads as one uninterrupted run.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    public const string FileName = "train_log.jsonl";
    private readonly StreamWriter _writer;

    public TrainingLog(string runDir, int keepThroughStep)
    {
        string path = Path.Combine(runDir, FileName);
        var kept = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0 && StepOf(l, path) <= keepThroughStep).ToList()
            : [];
        File.WriteAllLines(path, kept);
        _writer = new StreamWriter(path, append: true, new UTF8Encoding(false)) { NewLine = "\n" };
    }

    public void Append(TrainingStep s)
    {
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"step\":{s.Step},\"tokens\":{s.Tokens},\"loss\":{s.Loss:R},\"lr\":{s.LearningRate:R},\"grad_norm\":{s.GradNorm:R},\"tokens_per_second\":{s.TokensPerSecond:F1},\"mfu\":{s.Mfu:F6}}}"));
        _writer.Flush();
    }

    private static int StepOf(string line, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.GetProperty("step").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: a line is not a training log record: {e.Message}");
        }
    }

    public void Dispose() => _writer.Dispose();
}
