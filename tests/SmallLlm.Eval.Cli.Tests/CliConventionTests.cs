using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// lm-evaluation-harness habits work (option spellings, --limit fractions, task lists with spaces, mmlu_&lt;subject&gt;
/// and group names, --include_path), and a mistyped command line gets one error line, one hint and exit code 2.
/// </summary>
public class CliConventionTests
{
    [Theory]
    [InlineData("as an integer", "eval", "-m", "stories260K", "--tasks", "mmlu", "--num-fewshot", "x")]
    [InlineData("try --bogus-opt", "eval", "-m", "stories260K", "--tasks", "mmlu", "--bogus_opt", "3")]
    [InlineData("Must be one of: 'md', 'csv', 'html', 'json'", "leaderboard", "--format", "pdf")]
    [InlineData("--limit '2.5': expected a number of documents", "eval", "-m", "stories260K", "--tasks", "piqa", "--limit", "2.5")]
    public void Parse_errors_give_one_line_a_hint_and_exit_2(string expected, params string[] args)
    {
        var run = CliRun.InProcess(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("System.", run.Stderr);
        Assert.DoesNotContain("Usage:", run.Stderr + run.Stdout); // no help dump
        Assert.InRange(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 1, 4);
    }

    [Fact]
    public void Lm_eval_spellings_fractions_and_group_names_work()
    {
        string output = RepoPaths.Temp("lmeval");
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "mmlu_stem,", "mmlu_anatomy,", "arc_easy", "--limit", "2",
            "--num_fewshot", "0", "--batch_size", "4", "--output_path", output, "--log_samples", "--no-cache", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--log_samples: per-sample records are always written", run.Stderr);
        var results = run.Json().EnumerateArray().ToDictionary(r => r.GetProperty("task").GetProperty("name").GetString()!);
        // lm-eval's STEM group: 19 subjects (anatomy included, as lm-eval files it).
        var mmlu = results["mmlu"];
        Assert.Equal(19, mmlu.GetProperty("breakdown").GetProperty("subject").EnumerateObject().Count());
        Assert.Equal(38, mmlu.GetProperty("metrics").GetProperty("acc").GetProperty("n").GetInt32());
        Assert.Equal(0, mmlu.GetProperty("task").GetProperty("settings").GetProperty("num_fewshot").GetInt32());

        // --limit 0.01: that share of each task's documents, rounded up, as lm-eval does.
        var fraction = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "arc_easy, mmlu_anatomy", "--limit", "0.01", "-o", output, "--no-cache", "--json");
        Assert.True(fraction.ExitCode == 0, fraction.ToString());
        var byTask = fraction.Json().EnumerateArray().ToDictionary(r => r.GetProperty("task").GetProperty("name").GetString()!);
        Assert.Equal(24, byTask["arc_easy"].GetProperty("metrics").GetProperty("acc").GetProperty("n").GetInt32()); // ceil(2376 × 0.01)
        Assert.Equal(2, byTask["mmlu"].GetProperty("metrics").GetProperty("acc").GetProperty("n").GetInt32()); // ceil(135 × 0.01)

        var grouped = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "mmlu", "--limit", "0.1", "-o", output, "--no-cache");
        Assert.Equal(2, grouped.ExitCode);
        Assert.Contains("mmlu limits per group", grouped.Stderr);
    }

    [Fact]
    public void Include_tasks_adds_to_the_built_in_tasks()
    {
        string dir = RepoPaths.Temp("include");
        File.WriteAllText(Path.Combine(dir, "piqa_again.task.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = "piqa_again", ["kind"] = "multiple_choice", ["version"] = "1", ["description"] = "PIQA again, from another folder.",
            ["data"] = Path.Combine(RepoPaths.Tasks, "piqa", "piqa.jsonl"), ["context_template"] = "{query}\nAnswer:", ["target_delimiter"] = " ",
        }));
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "piqa_again,arc_easy", "--include-tasks", dir, "--limit", "3",
            "-o", Path.Combine(dir, "out"), "--no-cache");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("| stories260K | piqa_again | acc |", run.Stdout);
        Assert.Contains("| stories260K | arc_easy | acc |", run.Stdout);
    }
}
