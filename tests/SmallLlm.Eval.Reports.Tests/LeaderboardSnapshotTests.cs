using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>
/// The markdown and CSV leaderboards of the real sweep results against approved files in Approved/
/// (<see cref="ApprovedFile"/>).
/// </summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class LeaderboardSnapshotTests(EvaluatedRuns runs)
{
    [SkippableFact]
    public void Markdown_leaderboard_of_the_sweep_matches_the_approved_file() =>
        Verify("sweep.leaderboard.md", LeaderboardMarkdown.Render(Leaderboard.Build(ResultFileReader.Read(runs.Sweep))));

    [SkippableFact]
    public void Csv_leaderboard_of_the_sweep_matches_the_approved_file() =>
        Verify("sweep.leaderboard.csv", LeaderboardCsv.Render(Leaderboard.Build(ResultFileReader.Read(runs.Sweep))));

    [SkippableFact]
    public void Markdown_leaderboard_flags_a_row_run_with_another_limit()
    {
        string both = Path.Combine(runs.Root, "flagged");
        foreach (var (results, model) in new[] { (runs.Sweep, "step-1000"), (runs.Sweep, "step-50"), (runs.OtherLimit, "stories260K") })
        {
            string modelDir = RunResults.ModelDirectory(results, model);
            CopyDir(modelDir, Path.Combine(both, Path.GetFileName(modelDir)));
        }
        Verify("flagged.leaderboard.md", LeaderboardMarkdown.Render(Leaderboard.Build(ResultFileReader.Read(both))));
    }

    private static void Verify(string name, string actual) => ApprovedFile.Verify(name, actual);

    public static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        foreach (string d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
