using System.Text.Json;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Tests.Tasks.Code;

/// <summary>End to end: `smalleval eval` with HumanEval and MBPP on the bundled stories260K.</summary>
public sealed class CodeEvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("code-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The bundled humaneval and mbpp definitions with a short generation budget, so the test stays fast.</summary>
    private string ShortTasks()
    {
        string root = Path.Combine(RepoPaths.Root, "tasks"), tasks = Path.Combine(_dir, "tasks");
        foreach (var name in new[] { "humaneval", "mbpp" })
        {
            var def = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, name, name + ".task.json")))!.AsObject();
            def["data"] = Path.Combine(root, name, def["data"]!.GetValue<string>());
            def["max_tokens"] = MaxTokens;
            Directory.CreateDirectory(Path.Combine(tasks, name));
            File.WriteAllText(Path.Combine(tasks, name, name + ".task.json"), def.ToJsonString());
        }
        return tasks;
    }

    private const int MaxTokens = 24;

    [SkippableFact]
    public void Eval_runs_humaneval_and_mbpp_completions_in_the_sandbox()
    {
        Skip.If(PythonSandbox.Find() is null, "no python3: execution test skipped");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "humaneval,mbpp", "--limit", "2",
            "--tasks-dir", ShortTasks(), "--output", _dir, "--no-cache", "--allow-code-execution");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var task in new[] { "humaneval", "mbpp" })
        {
            var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(_dir, task))).RootElement;
            var metrics = result.GetProperty("metrics");
            // A 260K-parameter story model writes no working Python, but the metrics exist and are in range.
            Assert.InRange(metrics.GetProperty("pass@1").GetProperty("value").GetDouble(), 0, 1);
            Assert.Equal(2, result.GetProperty("counts").GetProperty("executions").GetInt64());
            Assert.InRange(metrics.GetProperty("canonical_bits_per_byte").GetProperty("value").GetDouble(), 0.5, 20);
            Assert.Equal(MaxTokens, result.GetProperty("task").GetProperty("settings").GetProperty("max_tokens").GetInt32());
        }
    }

    [Fact]
    public void Eval_without_the_flag_reports_the_other_metrics_and_says_so()
    {
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "humaneval", "--limit", "1",
            "--tasks-dir", ShortTasks(), "--output", _dir, "--no-cache");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--allow-code-execution", run.Stderr);
        var metrics = JsonDocument.Parse(File.ReadAllText(RunResults.Result(_dir, "humaneval"))).RootElement.GetProperty("metrics");
        Assert.False(metrics.TryGetProperty("pass@1", out _));
        Assert.True(metrics.TryGetProperty("first_line_exact_match", out _));
    }
}
