using System.Text.Json;

namespace SmallLlm.Eval.Tests.Tasks.Perplexity;

/// <summary>End to end: `smalleval eval` with a perplexity task on the bundled stories260K.</summary>
public sealed class PerplexityEvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ppl-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Eval_writes_corpus_level_perplexities_for_tinystories()
    {
        var tasksDir = Path.Combine(RepoPaths.Root, "tasks");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "tinystories_ppl", "--tasks-dir", tasksDir,
            "--output", _dir, "--no-cache", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(_dir, "tinystories_ppl"))).RootElement;
        var metrics = result.GetProperty("metrics");
        var counts = result.GetProperty("counts");
        Assert.Equal(5, counts.GetProperty("documents").GetInt64());
        Assert.Equal(725, counts.GetProperty("words").GetInt64());   // Python: Σ len(re.split(r"\s+", doc)) over the 5 stories
        Assert.Equal(3717, counts.GetProperty("bytes").GetInt64());  // Σ UTF-8 bytes of the trimmed stories
        double tokens = counts.GetProperty("tokens").GetInt64();
        double tokenPpl = metrics.GetProperty("token_perplexity").GetProperty("value").GetDouble();
        double nll = Math.Log(tokenPpl) * tokens; // −Σ log p
        Assert.Equal(Math.Exp(nll / 725), metrics.GetProperty("word_perplexity").GetProperty("value").GetDouble(), 1e-6);
        Assert.Equal(nll / (3717 * Math.Log(2)), metrics.GetProperty("bits_per_byte").GetProperty("value").GetDouble(), 1e-9);
        // stories260K was trained on TinyStories: a low perplexity on its own domain.
        Assert.InRange(tokenPpl, 1.5, 6.0);
        Assert.Equal(5, File.ReadAllLines(RunResults.Samples(_dir, "tinystories_ppl")).Length);
    }
}
