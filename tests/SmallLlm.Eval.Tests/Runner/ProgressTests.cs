using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

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
        using var model = LocalModelLoader.Load("stories260K", new LocalModelOptions { BatchSize = "1" }); // one window per forward pass: progress after each
        string text = File.ReadAllText(Path.Combine(RepoPaths.Tasks, "perplexity", "data", "tinystories_sample.txt"));
        var recorder = new Recorder();
        model.LoglikelihoodRolling([new RollingLoglikelihoodRequest(text)], recorder); // ~1,000 tokens: several 512-token windows
        Assert.Contains(recorder.Done, d => d is > 0 and < 1);
        Assert.Equal(1, recorder.Done[^1]);
    }
}
