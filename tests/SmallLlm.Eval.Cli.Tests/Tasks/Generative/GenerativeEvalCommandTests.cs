using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Cli.Tests.Tasks.Generative;

/// <summary>`smalleval eval` on generate_until tasks: the bundled arith task end to end on the built-in engine and on
/// llama.cpp, and bad task files or missing data as exit 2 with a message naming the cause.</summary>
public sealed class GenerativeEvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("generative-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private List<JsonObject> Samples(string output) =>
        File.ReadAllLines(RunResults.Samples(output, "arith")).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    [Fact]
    public void Arith_runs_end_to_end_on_the_built_in_engine_and_on_llama_cpp_with_the_same_answers()
    {
        string torch = Path.Combine(_dir, "torch"), llama = Path.Combine(_dir, "llamacpp");
        var t = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "arith", "--limit", "6", "-o", torch, "--no-cache", "--json");
        Assert.True(t.ExitCode == 0, t.Stderr);
        var l = CliRun.InProcess("eval", "-m", GgufFixture.Stories260K(), "--tasks", "arith", "--limit", "6", "-o", llama, "--no-cache", "--json");
        Assert.True(l.ExitCode == 0, l.Stderr);

        var result = (JsonObject)JsonNode.Parse(File.ReadAllText(RunResults.Result(torch, "arith")))!;
        Assert.Equal(6, result["metrics"]!["exact_match,strict-match"]!["n"]!.GetValue<int>());
        Assert.NotNull(result["metrics"]!["exact_match,flexible-extract"]);
        var a = Samples(torch);
        var b = Samples(llama);
        Assert.Equal(6, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            // Greedy decoding of the same f32 weights: the same tokens. llama.cpp's detokenizer keeps the space that
            // starts the first generated piece; the built-in engine drops it, as Hugging Face's decode (lm-eval's HF
            // backend) does. The filters strip it, so the answers are the same.
            string fromTorch = a[i]["generations"]![0]!.GetValue<string>(), fromLlama = b[i]["generations"]![0]!.GetValue<string>();
            Assert.Equal(" " + fromTorch, fromLlama);
            Assert.Equal(a[i]["filtered"]!.ToJsonString(), b[i]["filtered"]!.ToJsonString());
            Assert.Equal(3, a[i]["shots"]!.GetValue<int>());
            string generation = a[i]["generations"]![0]!.GetValue<string>();
            Assert.DoesNotContain("Question:", generation);
            Assert.DoesNotContain("\n\n", generation);
        }
    }

    [Fact]
    public void A_bad_generate_until_task_file_exits_2_naming_the_file_and_field()
    {
        string tasks = Path.Combine(_dir, "tasks");
        Directory.CreateDirectory(tasks);
        File.WriteAllText(Path.Combine(tasks, "test.jsonl"), "{\"question\": \"q\", \"answer\": \"a\"}\n");
        string file = Path.Combine(tasks, "bad.task.json");
        File.WriteAllText(file, """
            {"name": "badgen", "kind": "generate_until", "data": "test.jsonl", "doc_to_text": "Q: {question}", "doc_to_target": "{answer}",
             "filter_list": [{"name": "f", "filter": [{"function": "regex", "regex_pattern": "[0-9"}, {"function": "take_first"}]}]}
            """);
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "badgen", "--include-tasks", tasks, "-o", Path.Combine(_dir, "out"), "--no-cache");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(file, run.Stderr);
        Assert.Contains("filter_list[0].filter[0]: field 'regex_pattern' \"[0-9\"", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")) && Directory.EnumerateFiles(Path.Combine(_dir, "out"), "*.json", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void Gsm8k_without_its_data_exits_2_saying_where_to_put_it()
    {
        var run = CliRun.InProcess("eval", "-m", "stories260K", "--tasks", "gsm8k", "--data-dir", Path.Combine(_dir, "none"), "-o", Path.Combine(_dir, "out"), "--no-cache");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("test.jsonl' not found", run.Stderr);
        Assert.Contains("openai/grade-school-math", run.Stderr);
    }
}
