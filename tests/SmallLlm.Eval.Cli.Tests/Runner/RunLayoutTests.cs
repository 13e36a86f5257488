using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests.Runner;

/// <summary>
/// Runs never overwrite each other: each gets <c>&lt;output&gt;/&lt;model-id&gt;/&lt;run-id&gt;/</c>, model ids tell dtypes
/// apart, reports take the latest run per model and task (or the runs named) and say when older runs used other
/// settings, and results on other data name that data.
/// </summary>
public class RunLayoutTests
{
    [Fact]
    public void A_second_run_with_other_settings_keeps_the_first_and_the_leaderboard_says_which_it_shows()
    {
        string output = RepoPaths.Temp("layout");
        string[] job = ["eval", "-m", "stories260K", "--tasks", "arc_easy", "-o", output, "--no-cache"];
        Assert.Equal(0, CliRun.InProcess([.. job, "--limit", "6"]).ExitCode);
        string first = RunResults.LatestRun(output);
        Thread.Sleep(1100); // run ids are UTC start times to the second (a clash gets a suffix; this keeps the names plain)
        Assert.Equal(0, CliRun.InProcess([.. job, "--limit", "4"]).ExitCode);
        string second = RunResults.LatestRun(output);

        Assert.NotEqual(first, second);
        Assert.Equal(Path.GetDirectoryName(first), Path.GetDirectoryName(second));
        Assert.Equal(6, Metric(Path.Combine(first, "arc_easy.json")).GetProperty("n").GetInt32()); // not overwritten
        Assert.Equal(4, Metric(Path.Combine(second, "arc_easy.json")).GetProperty("n").GetInt32());
        Assert.Matches(@"^stories260K-fp32-[0-9a-f]{8}$", Path.GetFileName(Path.GetDirectoryName(first)));

        var latest = CliRun.InProcess("leaderboard", "--results", output);
        Assert.True(latest.ExitCode == 0, latest.ToString());
        Assert.Contains("| 4 |", latest.Stdout); // limit column of the latest run
        Assert.Contains($"showing run {Path.GetFileName(second)}; older run(s) with other settings: {Path.GetFileName(first)}: limit=6", latest.Stderr);

        var picked = CliRun.InProcess("leaderboard", "--results", output, "--run", Path.GetFileName(first));
        Assert.True(picked.ExitCode == 0, picked.ToString());
        Assert.Contains("| 6 |", picked.Stdout);
        Assert.DoesNotContain("older run", picked.Stderr);

        var unknown = CliRun.InProcess("leaderboard", "--results", output, "--run", "19990101T000000Z");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("run(s) 19990101T000000Z not found", unknown.Stderr);
    }

    [Fact]
    public void Bf16_and_fp32_runs_of_one_checkpoint_get_their_own_model_ids()
    {
        string output = RepoPaths.Temp("dtypes");
        foreach (string dtype in new[] { "fp32", "bf16" })
            Assert.Equal(0, CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "piqa", "--limit", "3", "--dtype", dtype, "-o", output, "--no-cache").ExitCode);
        var ids = Directory.GetDirectories(output).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, ids.Count);
        Assert.StartsWith("stories260K-bf16-", ids[0]);
        Assert.StartsWith("stories260K-fp32-", ids[1]);
        var board = CliRun.InProcess("leaderboard", "--results", output);
        Assert.True(board.ExitCode == 0, board.ToString());
        Assert.Contains($"| stories260K ({ids[0]}) |", board.Stdout);
        Assert.Contains($"| stories260K ({ids[1]}) |", board.Stdout);
    }

    [Fact]
    public void Perplexity_on_a_users_file_names_the_file_and_its_hash()
    {
        string output = RepoPaths.Temp("mytext");
        string text = Path.Combine(output, "my.txt");
        File.WriteAllText(text, "Once upon a time, there was a little girl named Lily. She liked to play outside.\n");
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "tinystories_ppl", "--data-dir", text, "-o", Path.Combine(output, "results"), "--no-cache");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(RunResults.Result(Path.Combine(output, "results"), "tinystories_ppl")));
        var task = doc.RootElement.GetProperty("task");
        Assert.Equal(Path.GetFullPath(text), task.GetProperty("settings").GetProperty("data_dir").GetString());
        string sha = task.GetProperty("data_sha256").GetString()!;
        Assert.Equal(64, sha.Length);

        var board = CliRun.InProcess("leaderboard", "--results", Path.Combine(output, "results"));
        Assert.True(board.ExitCode == 0, board.ToString());
        Assert.Contains($"tinystories_ppl [my.txt {sha[..8]}]", board.Stdout);
    }

    private static JsonElement Metric(string resultFile) =>
        JsonDocument.Parse(File.ReadAllText(resultFile)).RootElement.GetProperty("metrics").GetProperty("acc");
}
