namespace SmallLlm.Eval.Cli.Tests;

/// <summary>Careless input from issue 24, each refused with one line naming what is wrong, exit 2, nothing written:
/// a quantize that would silently replace a file, sampling settings outside their range (NaN included), and a task
/// whose context template has an unclosed field (which scored every prompt as the literal text).</summary>
public sealed class CarelessInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("careless-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Quantize_to_an_existing_file_is_refused_without_force_and_the_file_is_kept()
    {
        string to = Path.Combine(_dir, "model-q8_0.gguf");
        File.WriteAllText(to, "an earlier quantization");
        var run = CliRun.InProcess("quantize", "--from", Path.Combine(_dir, "model-f32.gguf"), "--to", to, "--type", "q8_0");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: --to {to} already exists: pass --force to replace it", run.Stderr.Split('\n')[0]);
        Assert.Equal("an earlier quantization", File.ReadAllText(to));
    }

    [Theory]
    [InlineData("--temperature", "NaN", "--temperature must be a finite number >= 0, got NaN")]
    [InlineData("--temperature", "Infinity", "--temperature must be a finite number >= 0, got Infinity")]
    [InlineData("--temperature", "-0.5", "--temperature must be a finite number >= 0, got -0.5")]
    [InlineData("--top-p", "0", "--top-p must be in (0, 1], got 0")]
    [InlineData("--top-p", "1.5", "--top-p must be in (0, 1], got 1.5")]
    [InlineData("--top-p", "NaN", "--top-p must be in (0, 1], got NaN")]
    public void Generate_refuses_sampling_settings_outside_their_range(string option, string value, string message)
    {
        var run = CliRun.InProcess("generate", "--model", "stories260K", "--prompt", "Once upon a time", "--max-tokens", "4", option, value);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: {message}", run.Stderr.Split('\n')[0]);
    }

    [Theory]
    [InlineData("Q: {query", "context_template has an unclosed field at '{query'")]
    [InlineData("{query\\nAnswer:", "context_template has an unclosed field at '{query'")]
    [InlineData("Answer:", "context_template names no field (e.g. {query}): every prompt would be the same text")]
    public void A_context_template_that_would_make_every_prompt_literal_is_refused(string template, string message)
    {
        string tasks = Path.Combine(_dir, "tasks", "copa");
        Directory.CreateDirectory(tasks);
        File.Copy(Path.Combine(RepoPaths.Tasks, "copa", "copa.jsonl"), Path.Combine(tasks, "copa.jsonl"));
        string definition = File.ReadAllText(Path.Combine(RepoPaths.Tasks, "copa", "copa.task.json")).Replace("\"context_template\": \"{query}\"", $"\"context_template\": \"{template}\"");
        Assert.Contains(template, definition);
        File.WriteAllText(Path.Combine(tasks, "copa.task.json"), definition);
        string output = Path.Combine(_dir, "results");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "copa", "--tasks-dir", Path.Combine(_dir, "tasks"), "--limit", "2", "--output", output, "--no-cache");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(message, run.Stderr);
        Assert.False(File.Exists(Path.Combine(output, "copa.json")));
    }
}
