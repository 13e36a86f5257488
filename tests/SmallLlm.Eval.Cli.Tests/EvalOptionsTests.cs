using System.CommandLine;
using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>One group of evaluation options: every command that runs tasks takes all of them, and in `run` a given option overrides the config.</summary>
public sealed class EvalOptionsTests : IDisposable
{
    private readonly string _dir = RepoPaths.Temp("eval-options");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Command Find(Command root, params string[] path) =>
        path.Aggregate(root, (c, name) => c.Subcommands.Single(s => s.Name == name));

    [Theory]
    [InlineData("eval")]
    [InlineData("sweep")]
    [InlineData("run")]
    [InlineData("bench", "tasks")]
    public void Every_task_running_command_takes_the_whole_group(params string[] path)
    {
        var command = Find(SmallEvalCommand.Create(), path);
        var names = command.Options.Select(o => o.Name).ToHashSet();
        var missing = new EvalOptions().All.Select(o => o.Name).Where(n => !names.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"{string.Join(" ", path)} lacks {string.Join(", ", missing)}");
    }

    [Fact]
    public void Run_options_override_the_config_and_the_config_fills_the_rest()
    {
        string config = Path.Combine(_dir, "eval.config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            models = new[] { new { model = "stories260K" } }, tasks = new[] { "arc_easy", "piqa" }, limit = 5, output = "out", cache = (string?)null,
            tasks_dir = RepoPaths.Tasks, task_settings = new { piqa = new { limit = 3 } },
        }));
        var run = CliRun.InProcess("run", "--config", config, "--num-fewshot", "1", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var results = run.Json().GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("task").GetProperty("name").GetString()!);
        Assert.Equal(5, results["arc_easy"].GetProperty("counts").GetProperty("documents").GetInt64()); // the config's limit
        Assert.Equal(3, results["piqa"].GetProperty("counts").GetProperty("documents").GetInt64()); // the config's per-task limit
        Assert.All(results.Values, r => Assert.Equal(1, r.GetProperty("task").GetProperty("settings").GetProperty("num_fewshot").GetInt32())); // the option's

        var limited = CliRun.InProcess("run", "--config", config, "--limit", "2", "--json");
        Assert.True(limited.ExitCode == 0, limited.ToString());
        Assert.All(limited.Json().GetProperty("results").EnumerateArray(), r => Assert.Equal(2, r.GetProperty("counts").GetProperty("documents").GetInt64()));
    }
}
