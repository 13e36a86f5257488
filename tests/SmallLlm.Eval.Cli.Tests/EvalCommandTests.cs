using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`smalleval eval` end to end on stories260K for each task family, and its bad-input errors.</summary>
public class EvalCommandTests
{
    [Fact]
    public void Mmlu_writes_result_samples_and_summary()
    {
        string output = RepoPaths.Temp("eval");
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "mmlu", "--limit", "3", "--subjects", "anatomy,sociology,world_religions", "-o", output, "--no-cache");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("| stories260K | mmlu | acc |", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "mmlu")));
        var r = doc.RootElement;
        Assert.Equal(9, r.GetProperty("metrics").GetProperty("acc").GetProperty("n").GetInt32());
        Assert.Equal(["stem", "social_sciences", "humanities"], new[] { "anatomy", "sociology", "world_religions" }
            .Select(s => r.GetProperty("breakdown").GetProperty("subject").GetProperty(s).GetProperty("n").GetInt32() == 3 ? SmallLlm.Eval.Tasks.Mmlu.MmluSubjects.Category(s) : "?"));
        Assert.Equal("b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696", r.GetProperty("model").GetProperty("weights_sha256").GetString());
        Assert.Equal(64, r.GetProperty("task").GetProperty("data_sha256").GetString()!.Length);
        var samples = File.ReadAllLines(RunResults.Samples(output, "mmlu"));
        Assert.Equal(9, samples.Length);
        double acc = samples.Count(l => JsonDocument.Parse(l).RootElement.GetProperty("correct").GetBoolean()) / 9.0;
        Assert.Equal(acc, r.GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble(), 12);
        Assert.Contains("stories260K,mmlu,acc,", File.ReadAllText(Path.Combine(output, "summary.csv")));
    }

    [Fact]
    public void Multiple_choice_tasks_report_acc_and_acc_norm()
    {
        string output = RepoPaths.Temp("mc");
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "arc_challenge,piqa", "--limit", "10", "-o", output, "--no-cache", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var results = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(2, results.GetArrayLength());
        foreach (var r in results.EnumerateArray())
        {
            Assert.Equal(10, r.GetProperty("metrics").GetProperty("acc").GetProperty("n").GetInt32());
            Assert.InRange(r.GetProperty("metrics").GetProperty("acc_norm").GetProperty("value").GetDouble(), 0, 1);
        }
    }

    [Theory]
    [InlineData("unknown task 'mmlu_pro': known tasks are", "--tasks", "mmlu_pro")]
    [InlineData("MMLU data folder '/no/such/dir' not found", "--tasks", "mmlu", "--data-dir", "/no/such/dir")]
    [InlineData("--num-fewshot for mmlu must be 0 to 5", "--tasks", "mmlu", "--num-fewshot", "9")]
    [InlineData("unknown MMLU subject(s) astrology", "--tasks", "mmlu", "--subjects", "astrology")]
    [InlineData("--batch-size must be a positive number or 'auto'", "--tasks", "piqa", "--batch-size", "many")]
    public void Bad_input_exits_with_2_and_one_clear_line(string expected, params string[] args)
    {
        var run = CliRun.InProcess(["eval", "-m", "stories260K", "-o", RepoPaths.Temp("bad"), "--no-cache", .. args]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void Strict_mode_fails_on_a_malformed_row_that_is_otherwise_skipped()
    {
        string data = RepoPaths.Temp("data");
        Directory.CreateDirectory(Path.Combine(data, "test"));
        Directory.CreateDirectory(Path.Combine(data, "dev"));
        File.WriteAllText(Path.Combine(data, "test", "anatomy_test.csv"), "Q1,a,b,c,d,A\nQ2,a,b,c,d,Z\n");
        File.WriteAllText(Path.Combine(data, "dev", "anatomy_dev.csv"), "S,a,b,c,d,B\n");
        var lenient = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "mmlu", "--num-fewshot", "1", "--data-dir", data, "-o", RepoPaths.Temp("o"), "--no-cache");
        Assert.True(lenient.ExitCode == 0, lenient.ToString());
        Assert.Contains("anatomy_test.csv:2: answer 'Z' is not one of A, B, C, D; row skipped", lenient.Stderr);
        var strict = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "mmlu", "--num-fewshot", "1", "--data-dir", data, "-o", RepoPaths.Temp("o"), "--no-cache", "--strict");
        Assert.Equal(2, strict.ExitCode);
        Assert.Contains("anatomy_test.csv:2", strict.Stderr);
    }

    [Fact]
    public void A_model_whose_context_is_too_short_for_the_answers_is_rejected_and_short_contexts_truncate_otherwise()
    {
        string dir = RepoPaths.Temp("short");
        Assert.Equal(0, CliRun.InProcess("convert", "--from", "stories260K", "--to", dir).ExitCode);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["max_position_embeddings"] = 8;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());

        var tooShort = CliRun.InProcess("eval", "-m", dir, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3", "-o", RepoPaths.Temp("o"), "--no-cache");
        Assert.Equal(2, tooShort.ExitCode);
        Assert.Contains("no document fits this model", tooShort.Stderr);
        Assert.Contains("does not fit the model's context of 8 tokens", tooShort.Stderr);

        string output = RepoPaths.Temp("o");
        var truncated = CliRun.InProcess("eval", "-m", dir, "--tokenizer", "tok512", "--tasks", "mmlu", "--subjects", "anatomy", "--limit", "2", "-o", output, "--no-cache");
        Assert.True(truncated.ExitCode == 0, truncated.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "mmlu")));
        Assert.Equal(2, doc.RootElement.GetProperty("counts").GetProperty("truncated_prompts").GetInt64());
        Assert.Equal(0, doc.RootElement.GetProperty("counts").GetProperty("shots_dropped").GetInt64()); // lm-eval: shots kept, context cut
        Assert.Equal(2, doc.RootElement.GetProperty("shots_histogram").GetProperty("5").GetInt64());
    }
}
