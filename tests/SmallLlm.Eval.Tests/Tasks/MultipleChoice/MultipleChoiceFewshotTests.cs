using System.Text.Json.Nodes;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.MultipleChoice;
using SmallLlm.Eval.Tests.Tasks.Kit;

namespace SmallLlm.Eval.Tests.Tasks.MultipleChoice;

/// <summary>
/// The multiple-choice kind's shots: drawn as lm-eval draws them when the task's few-shot split is there (prompts
/// compared with the independent Python fixture of <see cref="FewshotSamplerTests"/>), today's first-k rule, said in
/// the settings, when it is not; and the Hugging Face layouts of ARC, PIQA and OpenBookQA that lm-eval's YAML reads.
/// </summary>
public sealed class MultipleChoiceFewshotTests
{
    /// <summary>A task folder with the case's evaluated and few-shot files (the first documents of the bundled ones).</summary>
    private static (IEvalTask Task, TaskSettings Settings) TaskFor(FewshotSamplerTests.FixtureCase c, bool withFewshotFile = true)
    {
        string dir = RepoPaths.Temp("mcshots");
        static IEnumerable<string> Lines(string relative, int? n) =>
            File.ReadLines(Path.Combine(RepoPaths.Tasks, relative)).Where(l => l.Trim().Length > 0).Take(n ?? int.MaxValue);
        File.WriteAllLines(Path.Combine(dir, "eval.jsonl"), Lines(c.Eval, c.Evaluate));
        if (withFewshotFile) File.WriteAllLines(Path.Combine(dir, "shots.jsonl"), Lines(c.FewshotFile, c.Fewshot));
        var task = new JsonObject
        {
            ["name"] = "t", ["kind"] = "multiple_choice", ["data"] = "eval.jsonl", ["context_template"] = c.Template,
            ["fewshot_data"] = "shots.jsonl", ["fewshot_sampler"] = c.Sampler, ["fewshot_split_is_test_split"] = c.SameSplit,
        };
        File.WriteAllText(Path.Combine(dir, "t.task.json"), task.ToJsonString());
        return (TaskRegistry.Load(dir).Create("t"), new TaskSettings { NumFewshot = c.K });
    }

    private static List<string> Prompts(TaskPlan plan) =>
        plan.Requests.Cast<LoglikelihoodRequest>().Select(r => r.Context).Distinct().ToList();

    [Fact]
    public void With_the_fewshot_split_present_every_prompt_is_lm_evals_byte_for_byte_and_every_document_is_evaluated()
    {
        using var model = LocalModelLoader.Load("stories260K");
        foreach (var c in FewshotSamplerTests.Cases())
        {
            var (task, settings) = TaskFor(c);
            var plan = task.Plan(model, settings);
            Assert.Equal(c.Evaluate, plan.Documents);
            var prompts = Prompts(plan);
            Assert.Equal(c.Prompts.Count, prompts.Count);
            for (int i = 0; i < prompts.Count; i++)
                Assert.True(c.Prompts[i] == prompts[i], $"{c.Name}, document {i}: our prompt differs from lm-eval's");
            Assert.Equal(c.Sampler == "first_n" ? "lm_eval_first_n" : "lm_eval_random_sample", plan.Settings["fewshot_rule"]);
            Assert.Equal(1234UL, plan.Settings["fewshot_random_seed"]);
            Assert.Equal(c.Prompts[0], task.Describe(settings).ExamplePrompt);
        }
    }

    [Fact]
    public void Without_the_fewshot_split_the_first_k_documents_are_the_shots_and_the_settings_and_warnings_say_so()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var c = FewshotSamplerTests.Cases().Single(x => x.Name == "arc_k5_set");
        var (task, settings) = TaskFor(c, withFewshotFile: false);
        var plan = task.Plan(model, settings);
        Assert.Equal(c.Evaluate - c.K, plan.Documents);
        Assert.Equal("first_k_of_evaluated_file", plan.Settings["fewshot_rule"]);
        Assert.Null(plan.Settings["fewshot_data"]);
        Assert.Contains(plan.Warnings, w => w.Contains("not lm-eval's random draw", StringComparison.Ordinal));
        var docs = MultipleChoiceFormats.Read("llmfoundry", Path.Combine(RepoPaths.Tasks, c.Eval), new DataIssues(true));
        string Shot(MultipleChoiceDocument d) => c.Template.Replace("{query}", d.Query, StringComparison.Ordinal) + " " + d.Choices[d.Gold] + "\n\n";
        string expected = string.Concat(docs.Take(5).Select(Shot)) + c.Template.Replace("{query}", docs[5].Query, StringComparison.Ordinal);
        Assert.Equal(expected, Prompts(plan)[0]);
    }

    [Fact]
    public void Arc_and_piqa_in_the_Hugging_Face_layout_read_as_the_bundled_llm_foundry_conversion()
    {
        string dir = RepoPaths.Temp("hflayout");
        var arc = MultipleChoiceFormats.Read("arc", Path.Combine(RepoPaths.Tasks, "arc", "arc_easy.jsonl"), new DataIssues(true)).Take(20).ToList();
        var piqa = MultipleChoiceFormats.Read("piqa", Path.Combine(RepoPaths.Tasks, "piqa", "piqa.jsonl"), new DataIssues(true)).Take(20).ToList();
        // The same questions written as the Hugging Face ai2_arc and piqa rows lm-eval reads.
        File.WriteAllLines(Path.Combine(dir, "arc.jsonl"), arc.Select(d => new JsonObject
        {
            ["id"] = $"q{d.Index}", ["question"] = d.Query["Question: ".Length..],
            ["choices"] = new JsonObject
            {
                ["text"] = new JsonArray([.. d.Choices.Select(t => JsonValue.Create(t))]),
                ["label"] = new JsonArray([.. d.Choices.Select((_, i) => JsonValue.Create(((char)('A' + i)).ToString()))]),
            },
            ["answerKey"] = ((char)('A' + d.Gold)).ToString(),
        }.ToJsonString()));
        File.WriteAllLines(Path.Combine(dir, "piqa.jsonl"), piqa.Select(d => new JsonObject
        {
            ["goal"] = d.Query["Question: ".Length..^1], ["sol1"] = d.Choices[0], ["sol2"] = d.Choices[1], ["label"] = d.Gold,
        }.ToJsonString()));
        foreach (var (format, bundled) in new[] { ("arc", arc), ("piqa", piqa) })
        {
            var hf = MultipleChoiceFormats.Read(format, Path.Combine(dir, format + ".jsonl"), new DataIssues(true));
            Assert.Equal(bundled.Select(d => (d.Query, string.Join("|", d.Choices), d.Gold)), hf.Select(d => (d.Query, string.Join("|", d.Choices), d.Gold)));
            // lm-eval compares the documents themselves: the same question in the other layout is the same document.
            Assert.True(hf[3].SameRecordAs(bundled[3]));
            Assert.False(hf[3].SameRecordAs(bundled[4]));
        }
    }

    [Fact]
    public void OpenBookQA_reads_the_Hugging_Face_export_lm_eval_reads()
    {
        string dir = RepoPaths.Temp("obqa");
        // The example row of the Hugging Face openbookqa dataset card ("main" configuration).
        File.WriteAllText(Path.Combine(dir, "openbook_qa.jsonl"),
            """{"id": "7-980", "question_stem": "The sun is responsible for", "choices": {"text": ["puppies learning new tricks", "children growing up and getting old", "flowers wilting in a vase", "plants sprouting, blooming and wilting"], "label": ["A", "B", "C", "D"]}, "answerKey": "D"}""" + "\n");
        var d = Assert.Single(MultipleChoiceFormats.Read("openbookqa", Path.Combine(dir, "openbook_qa.jsonl"), new DataIssues(true)));
        Assert.Equal("The sun is responsible for", d.Query);
        Assert.Equal(3, d.Gold);
        Assert.Equal("plants sprouting, blooming and wilting", d.Choices[3]);
        var desc = TaskRegistry.Load(RepoPaths.Tasks).Create("openbookqa").Describe(new TaskSettings { DataDir = dir });
        Assert.Equal("The sun is responsible for", desc.ExamplePrompt);
        Assert.Equal(" plants sprouting, blooming and wilting", desc.ExampleContinuations[3]);
        File.WriteAllText(Path.Combine(dir, "bad.jsonl"), """{"question_stem": "Q", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "E"}""" + "\n");
        var e = Assert.Throws<InvalidDataException>(() => MultipleChoiceFormats.Read("openbookqa", Path.Combine(dir, "bad.jsonl"), new DataIssues(true)));
        Assert.Contains("answerKey 'E'", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>bpb, OLMES's bits per byte of the gold continuation, on hand-chosen log-likelihoods.</summary>
public sealed class MultipleChoiceBitsPerByteTests
{
    [Fact]
    public void Bpb_is_the_gold_continuations_negative_log_likelihood_in_bits_over_its_bytes_with_the_delimiter_averaged_over_documents()
    {
        string dir = RepoPaths.Temp("bpb");
        // Gold " abcd" (5 bytes with the delimiter) at -4.0 nats; gold " é" (3 bytes) at -1.5 nats.
        File.WriteAllText(Path.Combine(dir, "d.jsonl"),
            "{\"query\":\"Q\",\"choices\":[\"𝟏𝟐é\",\"abcd\"],\"gold\":1}\n{\"query\":\"R\",\"choices\":[\"é\",\"xy\"],\"gold\":0}\n");
        File.WriteAllText(Path.Combine(dir, "t.task.json"), "{\"name\":\"t\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        using var model = LocalModelLoader.Load("stories260K");
        var plan = TaskRegistry.Load(dir).Create("t").Plan(model, new TaskSettings());
        var scores = plan.Score([
            new LoglikelihoodResponse(-3.3, false, 3, false), new LoglikelihoodResponse(-4.0, false, 4, false),
            new LoglikelihoodResponse(-1.5, false, 1, false), new LoglikelihoodResponse(-9.0, false, 1, false)]);
        double first = 4.0 / Math.Log(2) / 5, second = 1.5 / Math.Log(2) / 3;
        Assert.Equal((first + second) / 2, scores.Metrics["bpb"].Value, 12);
        Assert.Equal(2, scores.Metrics["bpb"].N);
        Assert.False(scores.Declarations["bpb"].HigherIsBetter);
        Assert.False(scores.Declarations["bpb"].IsProportion);
        Assert.Equal(first, (double)scores.Samples[0]["bpb"]!, 12);
    }

    [Fact]
    public void Bpb_of_a_partially_evaluated_document_is_that_of_the_shared_continuation_after_the_gold_context()
    {
        string dir = RepoPaths.Temp("bpbwino");
        File.WriteAllText(Path.Combine(dir, "d.jsonl"), "{\"context_options\":[\"A went\",\"B went\"],\"continuation\":\"home.\",\"gold\":1}\n");
        File.WriteAllText(Path.Combine(dir, "t.task.json"), "{\"name\":\"t\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        using var model = LocalModelLoader.Load("stories260K");
        var plan = TaskRegistry.Load(dir).Create("t").Plan(model, new TaskSettings());
        var scores = plan.Score([new LoglikelihoodResponse(-7.0, false, 2, false), new LoglikelihoodResponse(-2.0, false, 2, false)]);
        Assert.Equal(2.0 / Math.Log(2) / " home.".Length, scores.Metrics["bpb"].Value, 12);
    }
}
