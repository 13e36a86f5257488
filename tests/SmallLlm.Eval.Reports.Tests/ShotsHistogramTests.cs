using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>The leaderboard says when prompts had fewer shots than asked for, from the results' shots histogram.</summary>
public sealed class ShotsHistogramTests
{
    private static Leaderboard Board(string? fit)
    {
        string output = Path.Combine(Path.GetTempPath(), "smalleval-shots-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new Dictionary<string, string> { ["subjects"] = "high_school_european_history" };
        if (fit is not null) options[FewshotFitOption.Key] = fit;
        HarnessRun.Eval("stories260K", "mmlu", output, limit: 2, options: options);
        var set = ResultFileReader.Read(output);
        Assert.NotNull(set.Files.Single().ShotsHistogram);
        return Leaderboard.Build(set);
    }

    [Fact]
    public void Dropped_shots_are_shown_and_kept_shots_are_not()
    {
        // These passages do not fit stories260K's 512-token context even without shots.
        Assert.Contains(Board("drop").Warnings, w => w == "stories260K mmlu: 5 shots requested, prompts had 0 (2 documents)");
        Assert.DoesNotContain(Board(null).Warnings, w => w.Contains("shots requested"));
    }
}
