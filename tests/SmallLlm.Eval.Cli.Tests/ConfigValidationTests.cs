namespace SmallLlm.Eval.Cli.Tests;

/// <summary>eval.config.json values go through the same rules as the command line's options: a limit of -1 is refused
/// in both, with the same words, exit 2, before anything runs or is written.</summary>
public sealed class ConfigValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("config-validation-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("\"limit\": -1", "limit must be at least 1 (documents per task), got -1")]
    [InlineData("\"limit\": 0", "limit must be at least 1 (documents per task), got 0")]
    [InlineData("\"num_fewshot\": -2", "num_fewshot must be 0 or more, got -2")]
    [InlineData("\"batch_size\": \"0\"", "batch_size must be a positive number or 'auto', got '0'")]
    [InlineData("\"task_settings\": { \"arc_easy\": { \"limit\": -1 } }", "task_settings.arc_easy.limit must be at least 1 (documents per task), got -1")]
    [InlineData("\"models\": [ { \"model\": \"stories260K\", \"dtype\": \"fp8\" } ]", "models[0].dtype: unknown dtype 'fp8'")]
    [InlineData("\"models\": null", "'models' lists no model (expected a list of {\"model\": ...} objects)")]
    [InlineData("\"models\": [ null ]", "'models' holds a null entry (expected {\"model\": ...} objects)")]
    [InlineData("\"task_settings\": null", "'task_settings' is null (expected an object of task names, or leave it out)")]
    public void A_bad_config_value_is_refused_naming_file_and_field(string field, string message)
    {
        string output = Path.Combine(_dir, "results");
        string config = Path.Combine(_dir, "eval.config.json");
        string models = field.StartsWith("\"models\"") ? "" : "\"models\": [ { \"model\": \"stories260K\" } ], ";
        File.WriteAllText(config, $"{{ {models}\"tasks\": [\"arc_easy\"], \"output\": \"{output}\", \"tasks_dir\": \"{RepoPaths.Tasks}\", {field} }}");
        var run = CliRun.InProcess("run", "--config", config);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: {config}: {message}", run.Stderr.Split('\n')[0].Split(": expected")[0]);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--limit", "-1", "--limit must be at least 1 (documents per task), got -1")]
    [InlineData("--num-fewshot", "-2", "--num-fewshot must be 0 or more, got -2")]
    [InlineData("--batch-size", "0", "--batch-size must be a positive number or 'auto', got '0'")]
    public void The_command_line_uses_the_same_rules(string option, string value, string message)
    {
        string output = Path.Combine(_dir, "results");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "arc_easy", "--output", output, option, value);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: {message}", run.Stderr.Split('\n')[0]);
        Assert.False(Directory.Exists(output));
    }
}
