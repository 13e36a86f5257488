using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Tests.Tasks.Suite;

/// <summary>
/// The small-model suite (WinoGrande, LAMBADA, COPA, OpenBookQA, HellaSwag, BoolQ): each prompt byte for byte against
/// lm-evaluation-harness's definition rendered here from its YAML / utils.py, and each score recomputed by hand from a
/// plain forward pass of stories260K.
/// </summary>
public sealed class SuiteTaskTests : IDisposable
{
    private static readonly TaskRegistry Registry = TaskRegistry.Load(RepoPaths.Tasks);
    private readonly LocalLanguageModel _model = LocalModelLoader.Load("stories260K");
    public void Dispose() => _model.Dispose();

    private static string DataDir(string file, params object[] rows)
    {
        string dir = RepoPaths.Temp("suite");
        File.WriteAllLines(Path.Combine(dir, file), rows.Select(r => JsonSerializer.Serialize(r)));
        return dir;
    }

    private static List<LoglikelihoodRequest> Requests(TaskPlan plan) => plan.Requests.Cast<LoglikelihoodRequest>().ToList();

    /// <summary>acc, acc_norm (per code point of the choice, lm-eval's len) from hand log-likelihoods; choices = continuation minus the delimiter.</summary>
    private static void AssertMultipleChoice(TaskPlan plan, TaskScores scores, List<(double LogLikelihood, bool IsGreedy)> byHand, IReadOnlyList<int> golds)
    {
        var requests = Requests(plan);
        int first = 0, acc = 0, accNorm = 0;
        for (int d = 0; d < golds.Count; d++)
        {
            int k = (int)((double[])scores.Samples[d]["loglikelihoods"]!).Length;
            var lls = byHand.Skip(first).Take(k).Select(x => x.LogLikelihood).ToList();
            var lens = requests.Skip(first).Take(k).Select(r => (double)r.Continuation[1..].EnumerateRunes().Count()).ToList();
            int pred = lls.IndexOf(lls.Max());
            var norm = lls.Select((l, j) => l / lens[j]).ToList();
            acc += pred == golds[d] ? 1 : 0;
            accNorm += norm.IndexOf(norm.Max()) == golds[d] ? 1 : 0;
            first += k;
        }
        Assert.Equal(requests.Count, first);
        Assert.Equal((double)acc / golds.Count, scores.Metrics["acc"].Value, 12);
        Assert.Equal((double)accNorm / golds.Count, scores.Metrics["acc_norm"].Value, 12);
    }

    [Fact]
    public void Winogrande_partial_evaluation_as_lm_eval()
    {
        // preprocess_winogrande.py: contexts sentence[:i] + option, target sentence[i+1:].strip(), delimiter " ".
        const string sentence = "The trophy doesn't fit into the brown suitcase because the _ is too large.";
        string dir = DataDir("winogrande.jsonl", new { sentence, option1 = "trophy", option2 = "suitcase", answer = "1" });
        var plan = Registry.Create("winogrande").Plan(_model, new TaskSettings { DataDir = dir });
        int i = sentence.IndexOf('_');
        Assert.Equal([(sentence[..i] + "trophy", " " + sentence[(i + 1)..].Trim()), (sentence[..i] + "suitcase", " " + sentence[(i + 1)..].Trim())],
            Requests(plan).Select(r => (r.Context, r.Continuation)));

        var bundled = Registry.Create("winogrande").Plan(_model, new TaskSettings { Limit = 4 });
        var golds = File.ReadLines(Path.Combine(RepoPaths.Tasks, "winogrande", "winogrande.jsonl")).Take(4)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("gold").GetInt32()).ToList();
        var (scores, byHand) = PlainForwardPass.Run(_model, bundled);
        int correct = Enumerable.Range(0, 4).Count(d => (byHand[2 * d].LogLikelihood >= byHand[2 * d + 1].LogLikelihood ? 0 : 1) == golds[d]);
        Assert.Equal(correct / 4.0, scores.Metrics["acc"].Value, 12);
        Assert.True(scores.Declarations["acc"].Headline);
    }

    [Fact]
    public void Copa_connector_rule_as_lm_eval_from_the_original_format_and_from_llm_foundry()
    {
        // super_glue/copa/utils.py: premise.strip()[:-1] + " because"/" therefore"; choices " " + first letter lower-cased.
        var original = new { premise = "The man turned on the faucet.", choice1 = "The toilet filled with water.", choice2 = "Water flowed from the spout.", question = "effect", label = 1 };
        var cause = new { premise = "My body cast a shadow over the grass.", choice1 = "The sun was rising.", choice2 = "The grass was cut.", question = "cause", label = 0 };
        var plan = Registry.Create("copa").Plan(_model, new TaskSettings { DataDir = DataDir("copa.jsonl", original, cause) });
        string Text(string premise, string connector) => premise.Trim()[..^1] + " " + connector;
        string Choice(string c) => " " + char.ToLowerInvariant(c[0]) + c[1..];
        Assert.Equal([
            (Text(original.premise, "therefore"), " " + Choice(original.choice1)), (Text(original.premise, "therefore"), " " + Choice(original.choice2)),
            (Text(cause.premise, "because"), " " + Choice(cause.choice1)), (Text(cause.premise, "because"), " " + Choice(cause.choice2)),
        ], Requests(plan).Select(r => (r.Context, r.Continuation)));

        // The bundled llm-foundry row 1 is the same COPA question: the same requests.
        var bundled = Registry.Create("copa").Plan(_model, new TaskSettings { Limit = 6 });
        Assert.Equal(Requests(plan).Take(2), Requests(bundled).Take(2));
        var golds = File.ReadLines(Path.Combine(RepoPaths.Tasks, "copa", "copa.jsonl")).Take(6).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("gold").GetInt32()).ToList();
        var (scores, byHand) = PlainForwardPass.Run(_model, bundled);
        AssertMultipleChoice(bundled, scores, byHand, golds);
    }

    [Fact]
    public void Lambada_greedy_whole_target_accuracy_and_perplexity_as_lm_eval()
    {
        // lambada_openai.yaml: doc_to_text text.split(' ')[:-1] joined by ' ', doc_to_target ' ' + text.split(' ')[-1].
        const string text = "She opened the door and saw her old friend Tom";
        var original = Registry.Create("lambada_openai").Plan(_model, new TaskSettings { DataDir = DataDir("lambada_openai.jsonl", new { text }) });
        var words = text.Split(' ');
        Assert.Equal((string.Join(' ', words[..^1]), " " + words[^1]), Requests(original).Select(r => (r.Context, r.Continuation)).Single());

        var plan = Registry.Create("lambada_openai").Plan(_model, new TaskSettings { Limit = 3 });
        var rows = File.ReadLines(Path.Combine(RepoPaths.Tasks, "lambada", "lambada_openai.jsonl")).Take(3).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows.Select(r => (r.GetProperty("context").GetString()!, " " + r.GetProperty("continuation").GetString())), Requests(plan).Select(r => (r.Context, r.Continuation)));
        var (scores, byHand) = PlainForwardPass.Run(_model, plan);
        Assert.Equal(byHand.Count(x => x.IsGreedy) / 3.0, scores.Metrics["acc"].Value, 12);
        // Log-likelihoods agree to 1e-4 nats per request, so the perplexity (about 1e9 for this tiny model) to a ratio of 1e-4.
        Assert.Equal(1.0, Math.Exp(-byHand.Average(x => x.LogLikelihood)) / scores.Metrics["perplexity"].Value, 1e-4);
        Assert.False(scores.Declarations["perplexity"].HigherIsBetter);
    }

    [Fact]
    public void OpenBookQA_reads_a_user_supplied_file_in_allenai_format_or_llm_foundry()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Registry.Create("openbookqa").Describe(new TaskSettings()));
        Assert.Contains(Path.Combine("openbookqa", "data", "openbook_qa.jsonl"), e.Message);
        Assert.Contains("not bundled", e.Message);

        // openbookqa.yaml: doc_to_text question_stem, doc_to_choice choices.text, gold choices.label.index(answerKey.lstrip()).
        object Row(string stem, string key, params string[] texts) => new
        {
            id = "7-980", question = new { stem, choices = texts.Select((t, i) => new { text = t, label = ((char)('A' + i)).ToString() }).ToArray() }, answerKey = key,
        };
        string dir = DataDir("openbook_qa.jsonl",
            Row("The sun is responsible for", "D", "puppies learning new tricks", "children growing up and getting old", "flowers wilting in a vase", "plants sprouting, blooming and wilting"),
            Row("Predators eat", " C", "lions", "humans", "bunnies", "grass"));
        File.AppendAllText(Path.Combine(dir, "openbook_qa.jsonl"), "{\"query\": \"Oak tree seeds are planted and\", \"choices\": [\"a sidewalk\", \"a lawn\"], \"gold\": 1}\n");
        var plan = Registry.Create("openbookqa").Plan(_model, new TaskSettings { DataDir = dir });
        var requests = Requests(plan);
        Assert.Equal("The sun is responsible for", requests[0].Context);
        Assert.Equal(" plants sprouting, blooming and wilting", requests[3].Continuation);
        Assert.Equal("Predators eat", requests[4].Context);
        var (scores, byHand) = PlainForwardPass.Run(_model, plan);
        AssertMultipleChoice(plan, scores, byHand, [3, 2, 1]);
        Assert.True(scores.Declarations["acc_norm"].Headline);
    }

    [Fact]
    public void HellaSwag_preprocess_as_lm_eval()
    {
        // Rows in rowanz/hellaswag's format; expected strings from lm-eval's hellaswag/utils.py run verbatim in Python.
        string dir = RepoPaths.Temp("hellaswag");
        File.WriteAllText(Path.Combine(dir, "hellaswag_val.jsonl"), """
            {"ind": 24, "activity_label": "Roof shingle removal", "ctx_a": "A man is sitting on a roof.", "ctx_b": "he", "ctx": "A man is sitting on a roof. he", "endings": ["is using wrap to wrap a pair of skis.", "is ripping level tiles off.", "is holding a rubik's cube.", "starts pulling up roofing on a roof."], "source_id": "activitynet~v_-JhWjGDPHMY", "split": "val", "split_type": "indomain", "label": 3}
            {"ind": 4, "activity_label": "Health", "ctx_a": "[header] How to stay  healthy [title] Eat well.", "ctx_b": "EAT Vegetables Daily", "ctx": "", "endings": ["[step] Eat  five portions. [title] Sleep.", "Run  [substeps] fast.", " Drink   water ", "Sleep well."], "source_id": "wikihow~1", "split": "val", "split_type": "zeroshot", "label": "0"}

            """);
        var d = Registry.Create("hellaswag").Describe(new TaskSettings { DataDir = dir });
        Assert.Equal("Roof shingle removal: A man is sitting on a roof. He", d.ExamplePrompt);
        var plan = Registry.Create("hellaswag").Plan(_model, new TaskSettings { DataDir = dir });
        var requests = Requests(plan);
        Assert.Equal("Health: How to stay healthy. Eat well. Eat vegetables daily", requests[4].Context);
        // Python's choices: [" Eat five portions.. Sleep.", "Run  fast.", "Drink  water", "Sleep well."], after the delimiter " ".
        Assert.Equal(["  Eat five portions.. Sleep.", " Run  fast.", " Drink  water", " Sleep well."], requests.Skip(4).Select(r => r.Continuation));
        var (scores, byHand) = PlainForwardPass.Run(_model, plan);
        AssertMultipleChoice(plan, scores, byHand, [3, 0]);
    }

    [Fact]
    public void BoolQ_template_as_lm_eval_from_superglue_and_original_rows()
    {
        var rows = new object[]
        {
            new { question = "is the sun a star", passage = "The Sun is the star at the center of the Solar System.", idx = 0, label = 1 },
            new { question = "do cats have nine lives", passage = "Cats have one life, like other animals.", idx = 1, label = false },
            new { question = "is water wet", title = "Water", passage = "Water is a liquid at room temperature.", answer = true },
        };
        string dir = DataDir("val.jsonl", rows);
        var plan = Registry.Create("boolq").Plan(_model, new TaskSettings { DataDir = dir });
        // super_glue/boolq/default.yaml: doc_to_text "{{passage}}\nQuestion: {{question}}?\nAnswer:", doc_to_choice ["no", "yes"].
        const string docToText = "{{passage}}\nQuestion: {{question}}?\nAnswer:";
        var requests = Requests(plan);
        Assert.Equal(docToText.Replace("{{passage}}", "The Sun is the star at the center of the Solar System.").Replace("{{question}}", "is the sun a star"), requests[0].Context);
        Assert.Equal([" no", " yes"], requests.Take(2).Select(r => r.Continuation));
        var (scores, byHand) = PlainForwardPass.Run(_model, plan);
        AssertMultipleChoice(plan, scores, byHand, [1, 0, 1]);
    }
}
