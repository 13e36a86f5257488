using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;
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
    public void A_bad_file_is_skipped_with_a_warning_naming_it(string kind, string message)
    {
        string dir = FolderWith(kind, Content(kind));
        var set = ResultFileReader.Read(dir);
        string warning = Assert.Single(set.Warnings, w => w.StartsWith($"skipped {Path.Combine(dir, "bad", kind + ".json")}: ", StringComparison.Ordinal));
        Assert.Contains(message, warning);
        string board = LeaderboardMarkdown.Render(Leaderboard.Build(set));
        Assert.Contains("| step-1000 |", board);
        Assert.Contains("| step-50 |", board);
    }

    [SkippableTheory]
    [MemberData(nameof(BadFiles))]
    public void Strict_refuses_a_bad_file(string kind, string message)
    {
        string dir = FolderWith(kind, Content(kind));
        var e = Assert.Throws<InvalidDataException>(() => ResultFileReader.Read(dir, strict: true));
        Assert.StartsWith($"{Path.Combine(dir, "bad", kind + ".json")}: ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Contains("--strict", e.Message);
    }
}

/// <summary>Empty and missing results folders: need no reference files, so they run without ../shared too.</summary>
public sealed class MissingResultsTests
{
    [Fact]
    public void An_empty_folder_holds_no_results()
    {
        string empty = Directory.CreateTempSubdirectory("smalleval-empty-").FullName;
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ResultFileReader.Read(empty));
            Assert.StartsWith($"no readable results files under '{empty}'", e.Message);
        }
        finally { Directory.Delete(empty, true); }
    }

    [Fact]
    public void A_missing_folder_is_not_found() =>
        Assert.Contains("not found", Assert.Throws<DirectoryNotFoundException>(() => ResultFileReader.Read("/nonexistent/results")).Message);
}
