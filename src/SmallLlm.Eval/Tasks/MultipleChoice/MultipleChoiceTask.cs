using System.Text;
using System.Text.RegularExpressions;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// Continuation-scored multiple choice (ARC, PIQA, HellaSwag, BoolQ, COPA, OpenBookQA), as lm-evaluation-harness's
/// multiple_choice output type: each choice is scored as target delimiter + choice after the prompt; acc takes the
/// highest log-likelihood, acc_norm the highest log-likelihood per character of the choice (Python's len: code points),
/// acc_bytes per UTF-8 byte; bpb is OLMES's bits per byte of the gold continuation (delimiter included), averaged over
/// documents. With partial evaluation (WinoGrande) the choices are contexts and the shared continuation
/// is scored after each. Few-shot examples are drawn as lm-eval draws them from the task's few-shot split when the
/// task file names it and it is there, else they are the first k documents, which are then not evaluated
/// (<see cref="MultipleChoiceShots"/>); examples are joined as lm-eval's plain prompt (<see cref="FewshotContext"/>).
/// </summary>
public sealed partial class MultipleChoiceTask(TaskDefinition definition) : EvalTask(definition)
{
    private string Template => Definition.String("context_template", "{query}\nAnswer:");
    private string Delimiter => Definition.String("target_delimiter", " ");
    private string Format => Definition.String("format", "llmfoundry");
    private string FewshotDelimiter => Definition.String("fewshot_delimiter", "\n\n");

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex TemplateField();

    /// <summary>A "{name" that never closes ("Q: {query", "{query\nAnswer:").</summary>
    [GeneratedRegex(@"\{\w+(?![\w}])")]
    private static partial Regex UnclosedField();

    private string Render(MultipleChoiceDocument d) =>
        TemplateField().Replace(Template, m => d.Fields.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The prompt of one document after its shots: one per choice for partial evaluation, else one.</summary>
    private IReadOnlyList<string> Contexts(string shots, MultipleChoiceDocument d) =>
        d.Continuation is null ? [shots + Render(d)] : d.Choices.Select(c => shots + c).ToList();

    private IReadOnlyList<string> Continuations(MultipleChoiceDocument d) => Continuations(d, Delimiter);

    private static IReadOnlyList<string> Continuations(MultipleChoiceDocument d, string delimiter) =>
        d.Continuation is null ? d.Choices.Select(c => delimiter + c).ToList() : [delimiter + d.Continuation];

    /// <summary>The delimiter before each scored choice: lm-eval's construct_requests sets it to "" under a chat template.</summary>
    private string ContinuationDelimiter(TaskSettings settings) => settings.Chat is null ? Delimiter : "";

    /// <summary>The prompts a run sends for <paramref name="d"/> after these shots: plain, or through the chat template.</summary>
    private (IReadOnlyList<string> Contexts, bool SystemDropped) RunContexts(ILanguageModel model, TaskSettings settings,
        IEnumerable<MultipleChoiceDocument> shots, MultipleChoiceDocument d)
    {
        if (settings.Chat is not { } chat) return (Contexts(Fewshot(shots), d), false);
        // lm-eval's multiple-input tasks put each choice into the context after the chat template ran; not built here.
        if (d.Continuation is not null)
            throw new ArgumentException($"{Name}: --apply-chat-template is not supported for partial evaluation (choices as contexts, e.g. WinoGrande)");
        var (text, dropped) = chat.Render(model, [.. shots.Select(Shot)], Render(d), Delimiter, FewshotDelimiter);
        return ([text], dropped);
    }

    private (List<MultipleChoiceDocument> Docs, DataIssues Issues, string Path) Load(TaskSettings s)
    {
        var issues = new DataIssues(s.Strict);
        string path = DataFile(s);
        var docs = MultipleChoiceFormats.Read(Format, path, issues);
        // A template naming a field the documents lack would be a constant prompt: refuse it.
        if (docs[0].Continuation is null && UnclosedField().Match(Template) is { Success: true } open)
            throw new InvalidDataException($"{Definition.FilePath}: context_template has an unclosed field at '{open.Value}' (fields are written {{name}}); every prompt would hold the literal text");
        if (docs[0].Continuation is null && TemplateField().Matches(Template).Count == 0)
            throw new InvalidDataException($"{Definition.FilePath}: context_template names no field (e.g. {{query}}): every prompt would be the same text");
        if (docs[0].Continuation is null)
            foreach (Match m in TemplateField().Matches(Template))
                if (!docs[0].Fields.ContainsKey(m.Groups[1].Value))
                    throw new InvalidDataException($"{Definition.FilePath}: context_template names field '{m.Groups[1].Value}', which the {Format} data ({path}) does not have; it has {string.Join(", ", docs[0].Fields.Keys.Select(k => "{" + k + "}"))}");
        return (docs, issues, path);
    }

    /// <summary>A shot as lm-eval's get_context writes it: the text (for partial evaluation, the gold context) and the target.</summary>
    private FewshotExample Shot(MultipleChoiceDocument d) =>
        d.Continuation is null ? new(Render(d), d.Choices[d.Gold]) : new(d.Choices[d.Gold], d.Continuation);

    private string Fewshot(IEnumerable<MultipleChoiceDocument> shots) => FewshotContext.Examples(shots.Select(Shot), Delimiter, FewshotDelimiter);

    public override TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = Shots(settings);
        var source = MultipleChoiceShots.For(Definition, settings, Format, docs, k, issues);
        var first = docs[Math.Min(source.Skipped, docs.Count - 1)];
        int evaluated = Math.Min(docs.Count - source.Skipped, settings.Limit ?? int.MaxValue);
        var contexts = Contexts(Fewshot(source.For(first, k)), first);
        var splits = new Dictionary<string, int> { ["test"] = docs.Count };
        if (source.FewshotPath is not null) splits["fewshot"] = source.FewshotDocuments;
        return new TaskDescription(Name, Definition.Kind, Description, path, splits, new Dictionary<string, int> { [Name] = evaluated },
            string.Join("\n---- next context ----\n", contexts), Continuations(first), issues.Warnings);
    }

    /// <summary>What each metric means, in order of preference for the headline.</summary>
    public static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
    [
        ("acc", MetricDeclaration.Accuracy("correct")), ("acc_norm", MetricDeclaration.Accuracy("correct_norm")),
        ("acc_bytes", MetricDeclaration.Accuracy("correct_bytes")),
        // A mean of per-document ratios, not Σ/Σ: the samples' "bpb" holds each; no unit field for a pooled bootstrap.
        ("bpb", new MetricDeclaration(HigherIsBetter: false, Aggregation: "mean", IsProportion: false, SampleField: null)),
    ];

    private sealed record Item(MultipleChoiceDocument Doc, string Prompt, int Shots, IReadOnlyList<Answer<LoglikelihoodResponse>> Answers);

    /// <summary>One line of the samples file: enough to recompute acc, acc_norm and acc_bytes and to pair runs.</summary>
    private sealed record Sample(int DocId, string PromptSha256, int Target, double[] Loglikelihoods, int Prediction, int PredictionNorm,
        int PredictionBytes, bool Correct, bool CorrectNorm, bool CorrectBytes, double Bpb, int Shots, bool Truncated);

    /// <summary>
    /// OLMES / OLMo's bpb for one document: −log-likelihood of the gold continuation in bits over its UTF-8 bytes, the
    /// continuation as scored (target delimiter + gold choice; for partial evaluation the shared continuation after
    /// the gold context), as OLMo's in-loop evaluation counts cont_byte_len (the leading space included, OLMES's rule).
    /// </summary>
    private static double GoldBitsPerByte(MultipleChoiceDocument doc, IReadOnlyList<double> loglikelihoods, string delimiter)
    {
        string continuation = delimiter + (doc.Continuation ?? doc.Choices[doc.Gold]);
        return -loglikelihoods[doc.Gold] / Math.Log(2) / Encoding.UTF8.GetByteCount(continuation);
    }

    public override TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = Shots(settings);
        if (k < 0) throw new ArgumentException($"--num-fewshot for {Name} must be at least 0, got {k}");
        var source = MultipleChoiceShots.For(Definition, settings, Format, docs, k, issues);
        var fit = FewshotFitOption.Of(settings);
        var requests = new RequestSet();
        var items = new List<Item>();
        string? firstUnfit = null;
        string delimiter = ContinuationDelimiter(settings);
        int systemDropped = 0;
        foreach (var d in docs.Skip(source.Skipped).Take(settings.Limit ?? int.MaxValue))
        {
            var drawn = source.For(d, k); // drawn before any skip below: lm-eval draws for every evaluated document
            int shots = drawn.Count;
            var (contexts, dropped) = RunContexts(model, settings, drawn, d);
            var continuations = Continuations(d, delimiter);
            if (ContinuationFit.Problem(model, continuations) is string unfit)
            {
                firstUnfit ??= $"{d.Source}: {unfit}";
                issues.Report(d.Source, unfit);
                continue;
            }
            // lm-eval keeps every shot and the model cuts the context on the left; fit_shots=drop removes shots first.
            int longest = continuations.Max(c => model.CountPromptTokens(c)) - model.CountPromptTokens("");
            while (fit == FewshotFit.Drop && shots > 0 && contexts.Max(c => model.CountPromptTokens(c)) + longest - 1 > model.ContextLength)
                (contexts, dropped) = RunContexts(model, settings, drawn.Take(--shots), d);
            if (dropped) systemDropped++;
            var answers = d.Continuation is null
                ? continuations.Select(c => requests.Loglikelihood(contexts[0], c)).ToList()
                : contexts.Select(c => requests.Loglikelihood(c, continuations[0])).ToList();
            items.Add(new Item(d, contexts[0], shots, answers));
        }
        // Skipping a document is for the odd one out; when none fits, the model cannot run this task at all.
        if (items.Count == 0 && firstUnfit is not null)
            throw new InvalidDataException($"{Name}: no document fits this model (e.g. {firstUnfit})");
        if (ChatPromptSettings.SystemDroppedWarning(systemDropped, items.Count) is string w) issues.Warn(w);
        var echoed = new Dictionary<string, object?>
        {
            ["num_fewshot"] = k, ["limit"] = settings.Limit, ["context_template"] = Template,
            ["target_delimiter"] = Delimiter, ["format"] = Format, ["fit_shots"] = FewshotFitOption.Name(fit), ["strict"] = settings.Strict,
            ["fewshot_rule"] = source.Rule, ["fewshot_data"] = source.FewshotPath, ["fewshot_delimiter"] = FewshotDelimiter,
            ["fewshot_random_seed"] = source.FewshotPath is null ? null : settings.Seed,
        };
        settings.Chat?.AddTo(echoed);
        return Plan(requests, path, items.Count, echoed, issues, () => Score(items, k, delimiter));
    }

    private TaskScores Score(List<Item> items, int requestedShots, string delimiter)
    {
        var acc = new List<bool>();
        var accNorm = new List<bool>();
        var accBytes = new List<bool>();
        var bpb = new List<double>();
        var samples = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var (doc, prompt, shots, answers) in items)
        {
            var lls = answers.Select(a => a.Value.LogLikelihood).ToList();
            // lm-eval's process_results: len(choice) (code points) and len(choice.encode("utf-8")), choice without delimiter.
            int pred = ArgMax.Of<double>([.. lls]);
            int predNorm = ArgMax.Of<double>([.. lls.Select((l, j) => l / doc.Choices[j].EnumerateRunes().Count())]);
            int predBytes = ArgMax.Of<double>([.. lls.Select((l, j) => l / Encoding.UTF8.GetByteCount(doc.Choices[j]))]);
            acc.Add(pred == doc.Gold);
            accNorm.Add(predNorm == doc.Gold);
            accBytes.Add(predBytes == doc.Gold);
            bpb.Add(GoldBitsPerByte(doc, lls, delimiter));
            samples.Add(SampleRecord.Of(new Sample(doc.Index, PromptHash.Of(prompt),
                doc.Gold, lls.ToArray(), pred, predNorm, predBytes, pred == doc.Gold, predNorm == doc.Gold, predBytes == doc.Gold,
                bpb[^1], shots, answers.Any(a => a.Value.Truncated))));
        }
        var metrics = new Dictionary<string, MetricValue>
        {
            ["acc"] = MeanMetric.Of(acc), ["acc_norm"] = MeanMetric.Of(accNorm), ["acc_bytes"] = MeanMetric.Of(accBytes),
            ["bpb"] = MeanMetric.Of(bpb),
        };
        var counts = new Dictionary<string, long>
        {
            ["truncated_prompts"] = items.Count(i => i.Answers.Any(a => a.Value.Truncated)),
            ["shots_dropped"] = items.Sum(i => (long)(requestedShots - i.Shots)),
        };
        return Scores(metrics, Declared, samples, counts, FewshotFitOption.Histogram(items.Select(i => i.Shots)));
    }
}

/// <summary>The "multiple_choice" kind of task definition.</summary>
public sealed class MultipleChoiceTaskKind : ITaskKind
{
    public string Kind => "multiple_choice";
    public IEvalTask Create(TaskDefinition definition) => new MultipleChoiceTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>
    {
        ["context_template"] = TaskFieldType.String, ["target_delimiter"] = TaskFieldType.String, ["format"] = TaskFieldType.String,
        ["fewshot_data"] = TaskFieldType.String, ["fewshot_sampler"] = TaskFieldType.String,
        ["fewshot_split_is_test_split"] = TaskFieldType.Boolean, ["fewshot_delimiter"] = TaskFieldType.String,
    };
}
