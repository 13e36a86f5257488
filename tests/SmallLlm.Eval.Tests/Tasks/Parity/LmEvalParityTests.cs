using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Mmlu;

namespace SmallLlm.Eval.Tests.Tasks.Parity;

/// <summary>
/// The places where we used to differ from lm-evaluation-harness, each checked against lm-eval's own definition
/// (its task YAML, api/task.py process_results, api/metrics.py pooled_sample_stderr, mmlu _generate_configs.py).
/// </summary>
public class LmEvalParityTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.Load(RepoPaths.Tasks);

    [Fact]
    public void Piqa_prompt_is_lm_evals_template_byte_for_byte()
    {
        var d = Registry.Create("piqa").Describe(new TaskSettings());
        using var first = JsonDocument.Parse(File.ReadLines(Path.Combine(RepoPaths.Tasks, "piqa", "piqa.jsonl")).First());
        string query = first.RootElement.GetProperty("query").GetString()!;
        Assert.StartsWith("Question: ", query);
        Assert.EndsWith("\n", query);
        string goal = query["Question: ".Length..^1]; // llm-foundry's query is "Question: {goal}\n"
        const string lmEvalDocToText = "Question: {{goal}}\nAnswer:"; // lm_eval/tasks/piqa/piqa.yaml
        Assert.Equal(lmEvalDocToText.Replace("{{goal}}", goal), d.ExamplePrompt);
        var sols = first.RootElement.GetProperty("choices").EnumerateArray().Select(c => " " + c.GetString()).ToList();
        Assert.Equal(sols, d.ExampleContinuations);
    }

    [Fact]
    public void Acc_norm_divides_by_code_points_acc_bytes_by_utf8_bytes()
    {
        string dir = RepoPaths.Temp("mc");
        // Choice 0: 3 code points (𝟏 and 𝟐 are outside the BMP: 2 UTF-16 units, 4 UTF-8 bytes each), 10 bytes.
        File.WriteAllText(Path.Combine(dir, "d.jsonl"), "{\"query\":\"Q\",\"choices\":[\"𝟏𝟐é\",\"abcd\"],\"gold\":1}\n");
        File.WriteAllText(Path.Combine(dir, "t.task.json"), "{\"name\":\"t\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        using var model = LocalModelLoader.Load("stories260K");
        var plan = TaskRegistry.Load(dir).Create("t").Plan(model, new TaskSettings());
        // Hand-chosen log-likelihoods: per code point -1.1 vs -1.0 (acc_norm picks 1, as lm-eval's len(choice));
        // per byte -0.33 vs -1.0 (acc_bytes picks 0); per UTF-16 unit it would be -0.66 (would pick 0).
        var scores = plan.Score([new LoglikelihoodResponse(-3.3, false, 3, false), new LoglikelihoodResponse(-4.0, false, 4, false)]);
        Assert.Equal(1.0, scores.Metrics["acc_norm"].Value);
        Assert.Equal(0.0, scores.Metrics["acc_bytes"].Value);
        Assert.Equal(0.0, scores.Metrics["acc"].Value); // -3.3 > -4.0
    }

    [Fact]
    public void Shots_that_do_not_fit_are_kept_and_truncated_by_default_or_dropped_on_request_and_counted_per_document()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var task = Registry.Create("mmlu");
        TaskScores Run(string? fit)
        {
            var options = new Dictionary<string, string> { ["subjects"] = "high_school_european_history" };
            if (fit is not null) options[FewshotFitOption.Key] = fit;
            var plan = task.Plan(model, new TaskSettings { Limit = 2, NumFewshot = 5, Options = options });
            return plan.Score(model.Loglikelihood(plan.Requests.Cast<LoglikelihoodRequest>().ToList(), IProgressSink.None));
        }
        // These passages are longer than stories260K's 512-token context even without shots.
        var lmEval = Run(null);
        Assert.Equal(new Dictionary<string, long> { ["5"] = 2 }, lmEval.ShotsHistogram);
        Assert.Equal(0, lmEval.Counts["shots_dropped"]);
        Assert.Equal(2, lmEval.Counts["truncated_prompts"]);
        var dropped = Run("drop");
        Assert.Equal(new Dictionary<string, long> { ["0"] = 2 }, dropped.ShotsHistogram);
        Assert.Equal(10, dropped.Counts["shots_dropped"]);
        Assert.Throws<ArgumentException>(() => Run("sometimes"));
    }

    [Fact]
    public void Mmlu_acc_stderr_is_lm_evals_pooled_sample_stderr_over_subjects()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var plan = Registry.Create("mmlu").Plan(model, new TaskSettings
        {
            Limit = 7, NumFewshot = 0, Options = new Dictionary<string, string> { ["subjects"] = "anatomy,virology,marketing,sociology" },
        });
        var scores = plan.Score(model.Loglikelihood(plan.Requests.Cast<LoglikelihoodRequest>().ToList(), IProgressSink.None));
        // Independent computation from the samples: per subject mean and mean_stderr (sample std / sqrt n), then
        // lm-eval's pooled_sample_stderr: sqrt(Σ (n-1)·se²·n / (Σn - k) / Σn).
        var bySubject = scores.Samples.GroupBy(s => (string)s["subject"]!).Select(g =>
        {
            var x = g.Select(s => (bool)s["correct"]! ? 1.0 : 0.0).ToList();
            double m = x.Average(), se = Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1) / x.Count);
            return (n: x.Count, m, se, category: (string)g.First()["category"]!);
        }).ToList();
        Assert.Equal(4, bySubject.Count);
        Assert.Contains(bySubject, s => s.se > 0); // the formula is exercised, not 0 = 0
        static double Pooled(IEnumerable<(int n, double m, double se, string category)> groups)
        {
            var g = groups.ToList();
            int total = g.Sum(x => x.n);
            return Math.Sqrt(g.Sum(x => (x.n - 1) * x.se * x.se * x.n) / (total - g.Count) / total);
        }
        Assert.Equal(Pooled(bySubject), scores.Metrics["acc"].Stderr!.Value, 12);
        Assert.Equal(bySubject.Sum(s => s.m * s.n) / bySubject.Sum(s => s.n), scores.Metrics["acc"].Value, 12);
        foreach (var (category, metric) in scores.Breakdown["category"])
            Assert.Equal(Pooled(bySubject.Where(s => s.category == category)), metric.Stderr!.Value, 12);
    }

    /// <summary>lm_eval/tasks/mmlu/_generate_configs.py SUBJECTS, copied verbatim.</summary>
    private static readonly Dictionary<string, string> LmEvalSubjects = new()
    {
        ["abstract_algebra"] = "stem", ["anatomy"] = "stem", ["astronomy"] = "stem", ["business_ethics"] = "other",
        ["clinical_knowledge"] = "other", ["college_biology"] = "stem", ["college_chemistry"] = "stem", ["college_computer_science"] = "stem",
        ["college_mathematics"] = "stem", ["college_medicine"] = "other", ["college_physics"] = "stem", ["computer_security"] = "stem",
        ["conceptual_physics"] = "stem", ["econometrics"] = "social_sciences", ["electrical_engineering"] = "stem", ["elementary_mathematics"] = "stem",
        ["formal_logic"] = "humanities", ["global_facts"] = "other", ["high_school_biology"] = "stem", ["high_school_chemistry"] = "stem",
        ["high_school_computer_science"] = "stem", ["high_school_european_history"] = "humanities", ["high_school_geography"] = "social_sciences",
        ["high_school_government_and_politics"] = "social_sciences", ["high_school_macroeconomics"] = "social_sciences", ["high_school_mathematics"] = "stem",
        ["high_school_microeconomics"] = "social_sciences", ["high_school_physics"] = "stem", ["high_school_psychology"] = "social_sciences",
        ["high_school_statistics"] = "stem", ["high_school_us_history"] = "humanities", ["high_school_world_history"] = "humanities",
        ["human_aging"] = "other", ["human_sexuality"] = "social_sciences", ["international_law"] = "humanities", ["jurisprudence"] = "humanities",
        ["logical_fallacies"] = "humanities", ["machine_learning"] = "stem", ["management"] = "other", ["marketing"] = "other",
        ["medical_genetics"] = "other", ["miscellaneous"] = "other", ["moral_disputes"] = "humanities", ["moral_scenarios"] = "humanities",
        ["nutrition"] = "other", ["philosophy"] = "humanities", ["prehistory"] = "humanities", ["professional_accounting"] = "other",
        ["professional_law"] = "humanities", ["professional_medicine"] = "other", ["professional_psychology"] = "social_sciences",
        ["public_relations"] = "social_sciences", ["security_studies"] = "social_sciences", ["sociology"] = "social_sciences",
        ["us_foreign_policy"] = "social_sciences", ["virology"] = "other", ["world_religions"] = "humanities",
    };

    [Fact]
    public void Mmlu_categories_are_lm_evals_the_original_mapping_is_the_hendrycks_variant()
    {
        Assert.Equal(57, MmluSubjects.All.Count);
        foreach (var (subject, category) in LmEvalSubjects) Assert.Equal(category, MmluSubjects.Category(subject));
        var differ = LmEvalSubjects.Keys.Where(s => MmluSubjects.Category(s, MmluSubjects.HendrycksMapping) != LmEvalSubjects[s]).ToList();
        Assert.Equal(["anatomy"], differ);
        Assert.Equal("other", MmluSubjects.Category("anatomy", MmluSubjects.HendrycksMapping));
        Assert.Throws<ArgumentException>(() => MmluSubjects.Category("anatomy", "mine"));
    }

    [Fact]
    public void Human_eval_budget_is_lm_evals_1024_bounded_by_the_context_and_says_so()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var plan = Registry.Create("humaneval").Plan(model, new TaskSettings { Limit = 3 });
        Assert.Equal(1024, plan.Settings["max_tokens"]);
        Assert.Equal(3, plan.Settings["max_tokens_bounded"]);
        Assert.Contains(plan.Warnings, w => w.Contains("generation budget of 1024 tokens bounded by the model's 512-token context for 3 of 3"));
        foreach (var g in plan.Requests.OfType<GenerateRequest>())
            Assert.Equal(Math.Max(512 - model.CountPromptTokens(g.Context), 256), g.MaxTokens);
    }
}
