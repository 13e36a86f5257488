using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>Progress moves inside a long request: a one-document perplexity task is not stuck at 0/1 until it ends.</summary>
public class ProgressTests
{
    private sealed class Recorder : IProgressSink
    {
        public List<double> Done { get; } = [];
        public void Report(int done, int total, long tokens) => Done.Add(done);
        public void ReportPartial(double done, int total, long tokens) => Done.Add(done);
    }

    [Fact]
    public void A_document_of_many_windows_reports_fractions_of_itself()
    {
        using var model = LocalLanguageModel.Load("stories260K", ModelDType.Float32);
        model.UseBatching(BatchSize.Parse("1", model.Engine.ParameterCount)); // one window per forward pass: progress after each
        string text = File.ReadAllText(Path.Combine(RepoPaths.Tasks, "perplexity", "data", "tinystories_sample.txt"));
        var recorder = new Recorder();
        model.LoglikelihoodRolling([new RollingLoglikelihoodRequest(text)], recorder); // ~1,000 tokens: several 512-token windows
        Assert.Contains(recorder.Done, d => d is > 0 and < 1);
        Assert.Equal(1, recorder.Done[^1]);
    }

    [Fact]
    public void The_progress_line_shows_the_fraction_and_tokens_per_second()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, "tinyshakespeare", interactive: false);
        progress.ReportPartial(0, 1, 0);
        Thread.Sleep(10);
        progress.ReportPartial(1, 1, 5000);
        string last = output.ToString().Trim().Split('\n')[^1];
        Assert.Contains("1/1 requests 100", last);
        Assert.Matches(@"\d+ tok/s", last);
        var partial = new StringWriter();
        new ConsoleProgress(partial, "t", interactive: false).ReportPartial(0.37, 1, 100);
        Assert.Contains("0.37/1 requests 37", partial.ToString());
    }
}
