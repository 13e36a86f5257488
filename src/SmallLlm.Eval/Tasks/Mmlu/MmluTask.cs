using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>
/// MMLU-style four-way multiple choice: lm-eval's formulation ("letters", the default) scores " A" .. " D" after the
/// lettered question; lighteval's cloze formulation ("formulation": "cloze", <see cref="MmluClozePrompt"/>) scores each
/// answer's text and adds acc_norm (per character of the answer, lighteval's loglikelihood_acc_norm_nospace).
/// </summary>
public sealed class MmluTask(TaskDefinition definition) : EvalTask(definition)
{
    private string EvalSplit => Definition.String("eval_split", "test");
    private string FewshotSplit => Definition.String("fewshot_split", "dev");
    private int DefaultShots => Definition.Int("num_fewshot") ?? 5;
    private bool Cloze => Definition.String("formulation", "letters") switch
    {
        "letters" => false,
        "cloze" => true,
        var other => throw new InvalidDataException($"{Definition.FilePath}: formulation must be 'letters' (lm-eval) or 'cloze' (lighteval's SmolLM MMLU), got '{other}'"),
    };

    /// <summary>Subject → category mapping: lm-evaluation-harness's by default, "hendrycks" for the original release's.</summary>
    private string Categories(TaskSettings s) =>
        s.Options.TryGetValue("categories", out var c) ? c : Definition.String("categories", MmluSubjects.LmEvalMapping);

    private (MmluDataset Data, DataIssues Issues, List<string> Subjects) Load(TaskSettings settings)
    {
        var issues = new DataIssues(settings.Strict);
        var data = MmluDataset.Load(Definition.DataPath("data", settings.DataDir), issues);
        var subjects = data.Subjects(EvalSplit).ToList();
        if (subjects.Count == 0)
            throw new InvalidDataException($"{data.Root}: no questions in split '{EvalSplit}'");
        if (settings.Options.TryGetValue("subjects", out var only))
        {
            var wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var unknown = wanted.Where(w => !subjects.Contains(w)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException($"unknown MMLU subject(s) {string.Join(", ", unknown)}; known: {string.Join(", ", subjects)}");
            subjects = wanted;
        }
        return (data, issues, subjects);
    }

    private int Shots(TaskSettings s)
    {
        int k = Shots(s, DefaultShots);
        if (k is < 0 or > 5) throw new ArgumentException($"--num-fewshot for {Name} must be 0 to 5 (the dev split has 5 questions per subject), got {k}");
        // SmolLM's published MMLU-cloze figures are 0-shot; lighteval's few-shot layout for it is not implemented here.
        if (Cloze && k != 0) throw new ArgumentException($"--num-fewshot for {Name} must be 0: the cloze formulation is implemented 0-shot only (as lighteval's SmolLM evaluation runs it), got {k}");
        return k;
    }

    public override TaskDescription Describe(TaskSettings settings)
    {
        var (data, issues, subjects) = Load(settings);
        int k = Shots(settings);
        var perSplit = data.Splits.ToDictionary(s => s, s => data.Subjects(s).Sum(sub => data.Questions(s, sub).Count));
        var perSubject = subjects.ToDictionary(s => s, s => Math.Min(data.Questions(EvalSplit, s).Count, settings.Limit ?? int.MaxValue));
        var first = data.Questions(EvalSplit, subjects[0])[0];
        if (Cloze)
            return new TaskDescription(Name, Definition.Kind, Description, data.Root, perSplit, perSubject,
                MmluClozePrompt.Question(first), MmluClozePrompt.Continuations(first), issues.Warnings);
        var prompt = MmluPrompt.Build(first.Subject, data.Questions(FewshotSplit, first.Subject).Take(k).ToList(), first);
        return new TaskDescription(Name, Definition.Kind, Description, data.Root, perSplit, perSubject, prompt, MmluPrompt.Continuations, issues.Warnings);
    }

    public override TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (data, issues, subjects) = Load(settings);
        int k = Shots(settings);
        var fit = FewshotFitOption.Of(settings);
        string categories = Categories(settings);
        MmluSubjects.Category("anatomy", categories); // an unknown mapping fails here, before any work
        var items = new List<Item>();
        var requests = new RequestSet();
        int longestContinuation = model.CountPromptTokens(" D") - model.CountPromptTokens("");
        foreach (var subject in subjects)
        {
            var shotPool = data.Questions(FewshotSplit, subject);
            if (shotPool.Count < k)
                issues.Warn($"subject '{subject}' has {shotPool.Count} questions in split '{FewshotSplit}', fewer than {k} shots");
            foreach (var q in data.Questions(EvalSplit, subject).Take(settings.Limit ?? int.MaxValue))
            {
                if (Cloze)
                {
                    string query = MmluClozePrompt.Question(q);
                    items.Add(new Item(q, query, 0, MmluClozePrompt.Continuations(q).Select(c => requests.Loglikelihood(query, c)).ToList()));
                    continue;
                }
                // Too long for the model: lm-eval keeps every shot and the model cuts the context on the left; with
                // fit_shots=drop, shots go first and truncation only if the question alone is too long.
                int shots = Math.Min(k, shotPool.Count);
                string prompt = MmluPrompt.Build(subject, shotPool.Take(shots).ToList(), q);
                while (fit == FewshotFit.Drop && shots > 0 && model.CountPromptTokens(prompt) + longestContinuation - 1 > model.ContextLength)
                    prompt = MmluPrompt.Build(subject, shotPool.Take(--shots).ToList(), q);
                items.Add(new Item(q, prompt, shots, MmluPrompt.Continuations.Select(c => requests.Loglikelihood(prompt, c)).ToList()));
            }
        }
        var echoed = new Dictionary<string, object?>
        {
            ["num_fewshot"] = k, ["limit"] = settings.Limit, ["eval_split"] = EvalSplit, ["fewshot_split"] = FewshotSplit,
            ["subjects"] = subjects.Count, ["fewshot_sampler"] = "first_n", ["strict"] = settings.Strict,
            ["fit_shots"] = FewshotFitOption.Name(fit), ["categories"] = categories,
            ["formulation"] = Cloze ? "cloze" : "letters",
        };
        return Plan(requests, data.Root, data.Files, items.Count, echoed, issues, () => Score(items, k, categories));
    }

    private sealed record Item(MmluQuestion Question, string Prompt, int Shots, IReadOnlyList<Answer<LoglikelihoodResponse>> Answers);

    /// <summary>One line of the samples file (doc_id "subject/split/index").</summary>
    private sealed record Sample(string DocId, string Subject, string Category, string PromptSha256, string Target, double[] Loglikelihoods,
        string Prediction, bool Correct, int Shots, bool Truncated);

    /// <summary>A cloze sample: the same, with the per-character prediction behind acc_norm.</summary>
    private sealed record ClozeSample(string DocId, string Subject, string Category, string PromptSha256, string Target, double[] Loglikelihoods,
        string Prediction, bool Correct, string PredictionNorm, bool CorrectNorm, bool Truncated);

    private static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
    [
        ("acc", MetricDeclaration.Accuracy("correct")),
        ("acc_norm", MetricDeclaration.Accuracy("correct_norm")),
        // The unweighted mean over subjects: not a mean of per-question booleans, so McNemar does not apply.
        ("acc_macro", new MetricDeclaration(true, "mean_of_group_means", true, null)),
    ];

    private TaskScores Score(List<Item> items, int requestedShots, string categories)
    {
        var samples = new List<IReadOnlyDictionary<string, object?>>();
        var correctBySubject = new SortedDictionary<string, List<bool>>(StringComparer.Ordinal);
        var correctNormBySubject = new SortedDictionary<string, List<bool>>(StringComparer.Ordinal);
        long truncated = 0, shotsDropped = 0;
        foreach (var item in items)
        {
            var lls = item.Answers.Select(a => a.Value).ToList();
            int prediction = 0;
            for (int j = 1; j < 4; j++) if (lls[j].LogLikelihood > lls[prediction].LogLikelihood) prediction = j;
            bool correct = prediction == item.Question.Answer;
            bool wasTruncated = lls.Any(l => l.Truncated);
            truncated += wasTruncated ? 1 : 0;
            shotsDropped += requestedShots - item.Shots;
            if (!correctBySubject.TryGetValue(item.Question.Subject, out var list)) correctBySubject[item.Question.Subject] = list = new();
            list.Add(correct);
            string category = MmluSubjects.Category(item.Question.Subject, categories);
            if (Cloze)
            {
                // lighteval's LogProbCharNorm(ignore_first_space=True): the answer's length in characters (code points).
                var choices = item.Question.Choices;
                int predNorm = 0;
                for (int j = 1; j < 4; j++)
                    if (lls[j].LogLikelihood / choices[j].EnumerateRunes().Count() > lls[predNorm].LogLikelihood / choices[predNorm].EnumerateRunes().Count())
                        predNorm = j;
                if (!correctNormBySubject.TryGetValue(item.Question.Subject, out var norms)) correctNormBySubject[item.Question.Subject] = norms = new();
                norms.Add(predNorm == item.Question.Answer);
                samples.Add(SampleRecord.Of(new ClozeSample(item.Question.Id, item.Question.Subject, category, PromptHash.Of(item.Prompt),
                    MmluQuestion.Letters[item.Question.Answer], lls.Select(l => l.LogLikelihood).ToArray(), MmluQuestion.Letters[prediction],
                    correct, MmluQuestion.Letters[predNorm], predNorm == item.Question.Answer, wasTruncated)));
                continue;
            }
            samples.Add(SampleRecord.Of(new Sample(item.Question.Id, item.Question.Subject, category,
                PromptHash.Of(item.Prompt), MmluQuestion.Letters[item.Question.Answer],
                lls.Select(l => l.LogLikelihood).ToArray(), MmluQuestion.Letters[prediction], correct, item.Shots, wasTruncated)));
        }
        var bySubject = correctBySubject.ToDictionary(kv => kv.Key, kv => MeanMetric.Of(kv.Value));
        // Groups as lm-evaluation-harness aggregates them (weight_by_size, pooled_sample_stderr over the leaf subjects).
        var byCategory = bySubject.GroupBy(kv => MmluSubjects.Category(kv.Key, categories))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => MeanMetric.Pooled(g.Select(kv => kv.Value).ToList()));
        var metrics = new Dictionary<string, MetricValue>
        {
            ["acc"] = MeanMetric.Pooled(bySubject.Values.ToList()),          // micro: every question counts once
            ["acc_macro"] = MeanMetric.MacroAverage(bySubject.Values.ToList()), // every subject counts once
        };
        // Pooled over subjects like acc (lm-eval's group aggregation), so the two stderrs compare.
        if (Cloze) metrics["acc_norm"] = MeanMetric.Pooled(correctNormBySubject.Values.Select(v => MeanMetric.Of(v)).ToList());
        var counts = new Dictionary<string, long> { ["truncated_prompts"] = truncated, ["shots_dropped"] = shotsDropped };
        return Scores(metrics, Declared, samples, counts, FewshotFitOption.Histogram(items.Select(i => i.Shots))) with
        {
            Breakdown = new Dictionary<string, IReadOnlyDictionary<string, MetricValue>> { ["category"] = byCategory, ["subject"] = bySubject },
        };
    }
}

/// <summary>The "mmlu" kind of task definition.</summary>
public sealed class MmluTaskKind : ITaskKind
{
    public string Kind => "mmlu";
    public IEvalTask Create(TaskDefinition definition) => new MmluTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>
    {
        ["eval_split"] = TaskFieldType.String, ["fewshot_split"] = TaskFieldType.String, ["categories"] = TaskFieldType.String,
        ["formulation"] = TaskFieldType.String,
    };
}
