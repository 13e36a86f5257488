using System.IO.Compression;
using System.Text;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Tests.Tasks.Code;

public sealed class CodeTaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("code-task-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ExecutionPolicy AllowCode = new(AllowCode: true, AllowUnsandboxed: false);

    private static TaskDefinition Definition(string name) =>
        TaskDefinition.Read(Path.Combine(RepoPaths.Root, "tasks", name, name + ".task.json"));

    private static TaskScores Run(IEvalTask task, ScriptedModel model, TaskSettings settings, out TaskPlan plan)
    {
        plan = task.Plan(model, settings);
        var responses = new ModelResponse[plan.Requests.Count];
        for (int i = 0; i < responses.Length; i++)
            responses[i] = plan.Requests[i] switch
            {
                GenerateRequest g => model.GenerateUntil([g], IProgressSink.None)[0],
                LoglikelihoodRequest l => model.Loglikelihood([l], IProgressSink.None)[0],
                _ => throw new InvalidOperationException(),
            };
        return plan.Score(responses);
    }

    private static Dictionary<string, string> Canonical(string task)
    {
        var problems = new CodeTask(Definition(task)).Plan(new ScriptedModel((_, _) => ""), new TaskSettings { Limit = 6 });
        return problems.Requests.OfType<LoglikelihoodRequest>().ToDictionary(r => r.Context, r => r.Continuation);
    }

    [SkippableFact]
    public void HumanEval_canonical_solutions_pass_and_wrong_ones_fail_with_unbiased_pass_at_k()
    {
        Skip.If(PythonSandbox.Find() is null, "no python3: execution test skipped");
        var canonical = Canonical("humaneval");
        // Sample 0 is the canonical solution, sample 1 returns None: c = 1 of n = 2 for every problem.
        var model = new ScriptedModel((prompt, sample) => sample == 0 ? canonical[prompt] : "    return None\n");
        // A generous timeout: these tests are about verdicts, and a loaded CI machine may start python slowly.
        var options = new Dictionary<string, string> { ["n"] = "2", ["temperature"] = "0.8", ["timeout_s"] = "30" };
        var scores = Run(new CodeTask(Definition("humaneval")), model, new TaskSettings { Limit = 6, Options = options, Execution = AllowCode }, out var plan);
        Assert.Equal(0.5, scores.Metrics["pass@1"].Value, 12);
        Assert.False(scores.Metrics.ContainsKey("pass@10"));  // k ≤ n only
        Assert.Equal(12, scores.Counts["executions"]);
        Assert.Equal(6, scores.Counts["executions_passed"]);
        Assert.Equal(1.0, scores.Metrics["canonical_bits_per_byte"].Value, 12);
        Assert.Equal(1.0, scores.Metrics["first_line_exact_match"].Value);
        Assert.Equal(true, plan.Settings["code_execution"]);
    }

    [SkippableFact]
    public void Mbpp_canonical_code_passes_its_asserts()
    {
        Skip.If(PythonSandbox.Find() is null, "no python3: execution test skipped");
        var canonical = Canonical("mbpp");
        var model = new ScriptedModel((prompt, _) => canonical[prompt]);
        var scores = Run(new CodeTask(Definition("mbpp")), model,
            new TaskSettings { Limit = 6, Options = new Dictionary<string, string> { ["timeout_s"] = "30" }, Execution = AllowCode }, out _);
        Assert.True(scores.Metrics["pass@1"].Value == 1.0, "samples: " + string.Join("\n", scores.Samples.Select(x => System.Text.Json.JsonSerializer.Serialize(x))));
        Assert.Equal(6, scores.Counts["executions_passed"]);
    }

    [Fact]
    public void Without_the_flag_nothing_runs_and_the_run_says_why()
    {
        var model = new ScriptedModel((_, _) => "    import os; os.system('touch /should-never-exist')\n");
        var scores = Run(new CodeTask(Definition("humaneval")), model, new TaskSettings { Limit = 2 }, out var plan);
        Assert.False(scores.Metrics.ContainsKey("pass@1"));
        Assert.True(scores.Metrics.ContainsKey("canonical_bits_per_byte"));
        Assert.Equal(0.0, scores.Metrics["first_line_exact_match"].Value);
        Assert.Contains(plan.Warnings, w => w.Contains("--allow-code-execution"));
        Assert.False(scores.Counts.ContainsKey("executions"));
    }

    [Theory]
    [InlineData("allow_code_execution", "--allow-code-execution")]
    [InlineData("allow_unsandboxed_execution", "--allow-unsandboxed-execution")]
    public void Consent_given_as_a_task_option_is_an_error_naming_the_option_and_the_flag(string option, string flag)
    {
        var settings = new TaskSettings { Limit = 1, Options = new Dictionary<string, string> { [option] = "true" } };
        var e = Assert.Throws<ArgumentException>(() => new CodeTask(Definition("humaneval")).Plan(new ScriptedModel((_, _) => ""), settings));
        Assert.Equal($"humaneval: option: '{option}': running model-written code is allowed only by the {flag} flag on the command line, never by a task file, config file or task option", e.Message);
    }

    [SkippableFact]
    public void Malformed_problems_are_reported_by_file_and_line_and_skipped()
    {
        Skip.If(PythonSandbox.Find() is null, "no python3: the test-code syntax check needs it");
        string good = """{"task_id": "t/0", "prompt": "def f():\n", "canonical_solution": "    return 1\n", "test": "def check(c):\n    assert c() == 1\n", "entry_point": "f"}""";
        string missing = """{"task_id": "t/1", "prompt": "def g():\n", "test": "def check(c):\n    pass\n", "entry_point": "g"}""";
        string brokenTest = """{"task_id": "t/2", "prompt": "def h():\n", "canonical_solution": "    return 2\n", "test": "def check(c):\n    assert c() == (2\n", "entry_point": "h"}""";
        string path = Path.Combine(_dir, "HumanEval.jsonl.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(string.Join("\n", good, missing, "{not json", brokenTest) + "\n"));
        var model = new ScriptedModel((_, _) => "    return 1\n");
        var settings = new TaskSettings { DataDir = _dir, Execution = AllowCode };
        var scores = Run(new CodeTask(Definition("humaneval")), model, settings, out var plan);
        Assert.Equal(1, plan.Documents);
        Assert.Equal(1.0, scores.Metrics["pass@1"].Value);
        Assert.Contains(plan.Warnings, w => w.Contains("HumanEval.jsonl.gz:2") && w.Contains("canonical_solution"));
        Assert.Contains(plan.Warnings, w => w.Contains("HumanEval.jsonl.gz:3") && w.Contains("not valid JSON"));
        Assert.Contains(plan.Warnings, w => w.Contains("HumanEval.jsonl.gz:4") && w.Contains("t/2") && w.Contains("line 2 of the test"));
        Assert.Throws<InvalidDataException>(() => new CodeTask(Definition("humaneval")).Plan(model, settings with { Strict = true }));
    }

    [Theory]
    [InlineData("\n\n    return x  \nfoo", "    return x")]
    [InlineData("", "")]
    public void First_line_skips_blank_lines_and_trailing_space(string code, string expected) =>
        Assert.Equal(expected, CodePlan.FirstLine(code));
}
