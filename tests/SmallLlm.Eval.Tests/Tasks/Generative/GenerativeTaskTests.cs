using System.Text.Json.Nodes;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Generative;
using SmallLlm.Eval.Tests.Tasks.Code;

namespace SmallLlm.Eval.Tests.Tasks.Generative;

/// <summary>
/// The gsm8k and gsm8k_cot task files on GSM8K-layout data: prompts byte for byte, and answers and exact_match over
/// the same completions, as lm-eval's rules computed in Python give them (tests/fixtures/generative/gsm8k_layout).
/// </summary>
public sealed class GenerativeTaskTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "generative");
    private static readonly JsonObject Expected = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "gsm8k_layout", "expected.json")))!;
    private static readonly List<string> Completions = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "gsm8k_layout", "completions.json")))!
        .AsArray().Select(c => c!.GetValue<string>()).ToList();

    private readonly string _dir = Directory.CreateTempSubdirectory("generative-task-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEvalTask Task(string name) => new GenerativeTaskKind().Create(TaskDefinition.Read(Path.Combine(RepoPaths.Tasks, "gsm8k", name + ".task.json")));

    /// <summary>Runs a plan with a model whose completion of document i's prompt is completions.json's i-th (it ignores "stop", as some servers do).</summary>
    private static (TaskPlan Plan, TaskScores Scores) Run(IEvalTask task, TaskSettings settings, IReadOnlyList<string> prompts)
    {
        var model = new ScriptedModel((prompt, _) => Completions[prompts.ToList().IndexOf(prompt)]);
        var plan = task.Plan(model, settings);
        return (plan, plan.Score(model.GenerateUntil(plan.Requests.Cast<GenerateRequest>().ToList(), IProgressSink.None)));
    }

    [Theory]
    [InlineData("gsm8k", 0)]
    [InlineData("gsm8k", 5)]
    [InlineData("gsm8k_cot", 8)]
    public void Prompts_answers_and_exact_match_are_lm_evals_over_the_same_completions(string name, int shots)
    {
        var expected = Expected[$"{name}/{shots}"]!.AsObject();
        var docs = expected["documents"]!.AsArray().Select(d => d!.AsObject()).ToList();
        var prompts = docs.Select(d => d["prompt"]!.GetValue<string>()).ToList();
        var (plan, scores) = Run(Task(name), new TaskSettings { NumFewshot = shots, DataDir = Path.Combine(Fixtures, "gsm8k_layout") }, prompts);

        Assert.Equal(prompts, plan.Requests.Cast<GenerateRequest>().Select(r => r.Context).ToList());
        foreach (var (filter, value) in expected["exact_match"]!.AsObject())
            Assert.Equal(value!.GetValue<double>(), scores.Metrics["exact_match," + filter].Value, 12);
        for (int i = 0; i < docs.Count; i++)
        {
            var sample = scores.Samples[i];
            Assert.Equal(docs[i]["target"]!.GetValue<string>(), sample["target"]);
            Assert.Equal([Completions[i]], (IEnumerable<string>)sample["generations"]!);
            Assert.Equal([docs[i]["cut"]!.GetValue<string>()], (IEnumerable<string>)sample["cut"]!);
            var filtered = (IReadOnlyDictionary<string, string>)sample["filtered"]!;
            foreach (var (filter, answer) in docs[i]["filtered"]!.AsObject())
                Assert.Equal(answer!.GetValue<string>(), filtered[filter]);
        }
        var until = ((GenerateRequest)plan.Requests[0]).Until;
        Assert.Equal([name == "gsm8k" ? "Question:" : "Q:", "</s>", "<|im_end|>"], until);
        Assert.Equal(256, ((GenerateRequest)plan.Requests[0]).MaxTokens);
        Assert.True(scores.Declarations["exact_match,strict-match"].Headline);
    }

    private string TaskFile(string fields)
    {
        File.WriteAllText(Path.Combine(_dir, "test.jsonl"), "{\"question\": \"1 + 1?\", \"answer\": \"#### 2\"}\n");
        string path = Path.Combine(_dir, "bad.task.json");
        File.WriteAllText(path, $$"""{"name": "bad", "kind": "generate_until", "data": "test.jsonl", {{fields}}}""");
        return path;
    }

    [Theory]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"extract\"}, {\"function\": \"take_first\"}]}]", "filter_list[0].filter[0]: unknown filter function 'extract'")]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"regex\", \"regex_pattern\": \"(a\"}, {\"function\": \"take_first\"}]}]", "field 'regex_pattern' \"(a\": not a valid regular expression")]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"regex\", \"regex_pattern\": \"a*+\"}, {\"function\": \"take_first\"}]}]", "possessive quantifier")]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"regex\", \"regex_pattern\": \"\\\\p{L}\"}, {\"function\": \"take_first\"}]}]", "bad escape \\p")]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"regex\"}]}]", "filter_list[0]: the filter must end with take_first")]
    [InlineData("\"filter_list\": [{\"name\": \"f\", \"filter\": [{\"function\": \"regex\", \"group\": 1}, {\"function\": \"take_first\"}]}]", "unknown field 'group' for filter 'regex'")]
    [InlineData("\"metric_list\": [{\"metric\": \"bleu\"}]", "metric_list[0]: field 'metric' must be \"exact_match\"")]
    [InlineData("\"metric_list\": [{\"metric\": \"exact_match\", \"regexes_to_ignore\": [\"(?x) a\"]}]", "regexes_to_ignore[0] \"(?x) a\": flag 'x'")]
    [InlineData("\"doc_to_text\": \"Q: {question|upper}\", \"doc_to_target\": \"{answer}\"", "field 'doc_to_text' uses '|upper'")]
    [InlineData("\"temperature\": 0.7", "field 'temperature' is 0.7 but 'do_sample' is not true")]
    [InlineData("\"stop\": [\"x\"]", "unknown field 'stop' for kind 'generate_until'")]
    public void A_bad_task_file_is_an_error_naming_the_file_and_field(string fields, string message)
    {
        string text = fields.Contains("doc_to_text", StringComparison.Ordinal) ? fields : fields + ", \"doc_to_text\": \"Q: {question}\", \"doc_to_target\": \"{answer}\"";
        string path = TaskFile(text);
        var e = Assert.Throws<InvalidDataException>(() => new GenerativeTaskKind().Create(TaskDefinition.Read(path)).Describe(new TaskSettings()));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_template_naming_a_field_the_data_lacks_names_it_and_the_data_line()
    {
        string path = TaskFile("\"doc_to_text\": \"Q: {problem}\", \"doc_to_target\": \"{answer}\"");
        var e = Assert.Throws<InvalidDataException>(() => new GenerativeTaskKind().Create(TaskDefinition.Read(path)).Describe(new TaskSettings { Strict = true }));
        Assert.Contains("test.jsonl:1: no text or integer field 'problem'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Repeats_with_sampling_send_distinct_seeds_and_majority_vote_picks_the_most_common_answer()
    {
        string path = TaskFile("\"doc_to_text\": \"Q: {question}\", \"doc_to_target\": \"{answer}\", \"do_sample\": true, \"temperature\": 0.8, \"repeats\": 4, " +
            "\"metric_list\": [{\"metric\": \"exact_match\", \"regexes_to_ignore\": [\"#### \"]}], " +
            "\"filter_list\": [{\"name\": \"maj@4\", \"filter\": [{\"function\": \"regex\", \"regex_pattern\": \"(\\\\d+)\"}, {\"function\": \"majority_vote\"}, {\"function\": \"take_first\"}]}]");
        var task = new GenerativeTaskKind().Create(TaskDefinition.Read(path));
        var model = new ScriptedModel((_, sample) => sample switch { 0 => "3", 1 => "2", 2 => "2 apples", _ => "5" });
        var plan = task.Plan(model, new TaskSettings());
        var requests = plan.Requests.Cast<GenerateRequest>().ToList();
        Assert.Equal(4, requests.Select(r => r.Seed).Distinct().Count());
        Assert.All(requests, r => Assert.Equal(0.8, r.Temperature));
        var scores = plan.Score(model.GenerateUntil(requests, IProgressSink.None));
        Assert.Equal(1.0, scores.Metrics["exact_match,maj@4"].Value);
        Assert.Equal("2", ((IReadOnlyDictionary<string, string>)scores.Samples[0]["filtered"]!)["maj@4"]);
    }
}
