using SmallLlm.Eval.Reports.Tests.Fixtures;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>Results folders with partial, corrupt and other-version files, empty folders: skipped with a warning, or refused with --strict.</summary>
[Collection(EvaluatedRunsCollection.Name)]
public sealed class BadInputTests(EvaluatedRuns runs)
{
    /// <summary>The real step-1000 and step-50 results plus one bad file under bad/&lt;name&gt;.json.</summary>
    private string FolderWith(string name, string content)
    {
        string dir = Path.Combine(runs.Root, "bad-" + name);
        LeaderboardSnapshotTests.CopyDir(runs.SweepResults("step-1000"), Path.Combine(dir, "step-1000"));
        LeaderboardSnapshotTests.CopyDir(runs.SweepResults("step-50"), Path.Combine(dir, "step-50"));
        Directory.CreateDirectory(Path.Combine(dir, "bad"));
        File.WriteAllText(Path.Combine(dir, "bad", name + ".json"), content);
        return dir;
    }

    private string RealResult => File.ReadAllText(Path.Combine(runs.SweepResults("step-1000"), StoryClozeTask.Name + ".json"));

    public static TheoryData<string, string> BadFiles => new()
    {
        { "corrupt", "not valid JSON" },
        { "partial", "has no 'metrics' object" },
        { "newer", "results schema version 3" },
    };

    private string Content(string kind) => kind switch
    {
        "corrupt" => RealResult[..(RealResult.Length / 2)], // a file cut in half
        "partial" => RealResult[..RealResult.IndexOf("\"metrics\"", StringComparison.Ordinal)].TrimEnd().TrimEnd(',') + "}",
        _ => RealResult.Replace("\"schema_version\": 2", "\"schema_version\": 3"),
    };

    [SkippableTheory]
    [MemberData(nameof(BadFiles))]
    public void Leaderboard_skips_a_bad_file_with_a_warning_naming_it(string kind, string message)
    {
        string dir = FolderWith(kind, Content(kind));
        var run = CliRun.InProcess("leaderboard", "--results", dir);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"warning: skipped {Path.Combine(dir, "bad", kind + ".json")}: ", run.Stderr);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("| step-1000 |", run.Stdout);
        Assert.Contains("| step-50 |", run.Stdout);
    }

    [SkippableTheory]
    [MemberData(nameof(BadFiles))]
    public void Strict_refuses_a_bad_file(string kind, string message)
    {
        string dir = FolderWith(kind, Content(kind));
        var run = CliRun.InProcess("leaderboard", "--results", dir, "--strict");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"error: {Path.Combine(dir, "bad", kind + ".json")}: ", run.Stderr);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("--strict", run.Stderr);
    }

    [SkippableFact]
    public void Gate_with_strict_refuses_a_corrupt_current_folder()
    {
        string dir = FolderWith("corrupt", Content("corrupt"));
        var run = CliRun.InProcess("check", "--baseline", runs.SweepResults("step-1000"), "--current", dir, "--strict");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("corrupt.json", run.Stderr);
    }
}

/// <summary>Empty and missing results folders: need no reference files, so they run without ../shared too.</summary>
public sealed class MissingResultsTests
{
    [Fact]
    public void Empty_folder_is_an_error_for_leaderboard_and_check()
    {
        string empty = Directory.CreateTempSubdirectory("smalleval-empty-").FullName;
        try
        {
            var lb = CliRun.InProcess("leaderboard", "--results", empty);
            Assert.True(lb.ExitCode == 2, lb.ToString());
            Assert.Contains($"error: no readable results files under '{empty}'", lb.Stderr);
            var check = CliRun.InProcess("check", "--baseline", empty, "--current", empty);
            Assert.Equal(2, check.ExitCode);
        }
        finally { Directory.Delete(empty, true); }
    }

    [Fact]
    public void Missing_folder_is_an_error() =>
        Assert.Contains("not found", CliRun.InProcess("leaderboard", "--results", "/nonexistent/results").Stderr);
}
