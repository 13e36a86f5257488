using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// `run --json`, `leaderboard --json` and `check --json` print one JSON document on stdout for scripts; `run --config`
/// resolves the config's relative paths from the config file's folder, not the working directory.
/// </summary>
public class JsonOutputTests
{
    [Fact]
    public void Run_leaderboard_and_check_print_json_and_config_paths_are_relative_to_the_config()
    {
        string dir = RepoPaths.Temp("json");
        string config = Path.Combine(dir, "small.config.json");
        File.WriteAllText(config, $$"""
            { "models": [ { "model": "stories260K" } ], "tasks": ["arc_easy"], "limit": 3,
              "output": "out", "cache": "out/.cache/requests.sqlite", "tasks_dir": {{JsonSerializer.Serialize(RepoPaths.Tasks)}} }
            """);
        var run = CliRun.InProcess("run", "--config", config, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = run.Json();
        Assert.Equal("arc_easy", doc.GetProperty("results")[0].GetProperty("task").GetProperty("name").GetString());
        string output = Path.Combine(dir, "out");
        Assert.StartsWith(output, doc.GetProperty("run_directories")[0].GetString());
        Assert.True(File.Exists(Path.Combine(output, ".cache", "requests.sqlite")));
        Assert.Contains("| stories260K | arc_easy | acc |", run.Stderr); // the table, on stderr with --json

        var board = CliRun.InProcess("leaderboard", "--results", output, "--json");
        Assert.True(board.ExitCode == 0, board.ToString());
        var row = board.Json().GetProperty("rows")[0];
        Assert.Equal(1, row.GetProperty("rank").GetInt32());
        Assert.Equal(3, row.GetProperty("cells").GetProperty("arc_easy").GetProperty("n").GetInt32());

        var check = CliRun.InProcess("check", "--baseline", output, "--current", output, "--json");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal("holds", check.Json().GetProperty("verdict").GetString());
        Assert.Equal(0, check.Json().GetProperty("failed").GetInt32());
    }
}
