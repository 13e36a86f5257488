using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Code;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.MultipleChoice;

namespace SmallLlm.Eval.Tests.Tasks.Data;

/// <summary>One malformed value in one data row skips that row (or document) with its file:line and a reason, and
/// never the task: wrong types in JSONL rows, an answer choice longer than the model's context, test code that Python
/// cannot parse.</summary>
public sealed class DataRowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("data-rows-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private const string GoodMc = "{\"query\":\"Q\",\"choices\":[\"yes\",\"no\"],\"gold\":1}";

    [Theory]
    [InlineData("{\"query\":\"Q\",\"choices\":[\"yes\",\"no\"],\"gold\":0.5}", "'gold' must be an integer")]
    [InlineData("{\"query\":\"Q\",\"choices\":[\"yes\",2],\"gold\":0}", "choices must be an array of strings")]
    [InlineData("[\"Q\", [\"yes\", \"no\"], 0]", "not a llmfoundry record")]
    [InlineData("{\"query\":5,\"choices\":[\"yes\",\"no\"],\"gold\":0}", "not a llmfoundry record")]
    [InlineData("{\"query\":\"Q\",\"choices\":[\"yes\",\"no\"],\"gold\":7}", "gold 7 must index one of the 2 choices")]
    public void Multiple_choice_rows_with_a_wrong_value_are_skipped_by_file_and_line(string bad, string problem)
    {
        string path = Write("mc.jsonl", GoodMc, bad, GoodMc);
        var issues = new DataIssues(strict: false);
        var docs = MultipleChoiceFormats.Read("llmfoundry", path, issues);
        Assert.Equal(2, docs.Count);
        Assert.Contains($"{path}:2: ", Assert.Single(issues.Warnings));
        Assert.Contains(problem, issues.Warnings[0]);
        Assert.Throws<InvalidDataException>(() => MultipleChoiceFormats.Read("llmfoundry", path, new DataIssues(strict: true)));
    }

    [Theory]
    [InlineData("11.5")]
    [InlineData("\"11\"")]
    [InlineData("1e40")]
    public void An_mbpp_row_with_a_non_integer_task_id_is_skipped(string id)
    {
        string Row(string taskId) => $"{{\"task_id\":{taskId},\"text\":\"t\",\"code\":\"def f(): pass\",\"test_list\":[\"assert True\"]}}";
        string path = Write("mbpp.jsonl", Row("10"), Row(id), Row("12"));
        var issues = new DataIssues(strict: false);
        Assert.Equal([10, 12], MbppReader.Read(path, issues).Select(r => r.TaskId));
        Assert.Contains($"{path}:2: expected task_id (integer)", Assert.Single(issues.Warnings));
    }

    [SkippableFact]
    public void Test_code_python_cannot_parse_is_reported_per_problem_not_for_the_task()
    {
        var python = PythonSandbox.Find();
        Skip.If(python is null, "no python3: parse check skipped");
        var bad = TestCodeSyntaxCheck.Check(python!.Python,
        [
            "assert f(1) == 2",
            "x = a" + string.Concat(Enumerable.Repeat("[0]", 200_000)), // RecursionError during ast construction
            "def broken(:\n    pass",                                     // SyntaxError
            "y = " + new string('-', 100_000) + "1",                      // MemoryError in the parser
            "assert True",
        ]);
        Assert.Equal([1, 2, 3], bad.Keys.Order());
        Assert.Contains("RecursionError", bad[1].Message);
        Assert.Equal(1, bad[2].Line);
        Assert.Contains("MemoryError", bad[3].Message);
    }

    [Fact]
    public void An_answer_choice_longer_than_the_context_skips_its_document_with_a_warning()
    {
        string tasks = Path.Combine(_dir, "tasks", "longchoice");
        Directory.CreateDirectory(tasks);
        string longChoice = string.Concat(Enumerable.Repeat("the little dog ran home and ", 300)); // far beyond 512 tokens
        string data = Path.Combine(tasks, "longchoice.jsonl");
        File.WriteAllText(data, string.Join("\n",
            "{\"query\":\"Lily saw a\",\"choices\":[\"dog\",\"cat\"],\"gold\":0}",
            JsonSerializer.Serialize(new { query = "Tom had a", choices = new[] { "ball", longChoice }, gold = 0 }),
            "{\"query\":\"The sun was\",\"choices\":[\"hot\",\"blue\"],\"gold\":0}") + "\n");
        File.WriteAllText(Path.Combine(tasks, "longchoice.task.json"),
            "{\"name\":\"longchoice\",\"kind\":\"multiple_choice\",\"version\":\"1\",\"description\":\"t\",\"data\":\"longchoice.jsonl\",\"context_template\":\"{query}\",\"target_delimiter\":\" \",\"num_fewshot\":0}");
        EvalJobSpec Job(string output, bool strict) => new()
        {
            Model = "stories260K", Tasks = ["longchoice"], TasksDirectory = Path.GetDirectoryName(tasks)!, OutputDirectory = Path.Combine(_dir, output),
            SettingsFor = _ => new TaskSettings { Strict = strict },
        };
        var log = new StringWriter();
        var results = EvalJob.Run(Job("results", strict: false), log, _ => IProgressSink.None);
        Assert.Contains($"{data}:2: choice 1 alone is", log.ToString());
        Assert.Equal(2, results.Single().Counts["documents"]);

        var e = Assert.Throws<InvalidDataException>(() => EvalJob.Run(Job("strict", strict: true), TextWriter.Null, _ => IProgressSink.None));
        Assert.Contains($"{data}:2: choice 1 alone is", e.Message);
    }
}
