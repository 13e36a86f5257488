using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// Continuation-scored multiple choice (ARC, PIQA, HellaSwag, BoolQ, COPA, OpenBookQA), as lm-evaluation-harness's
/// multiple_choice output type: each choice is scored as target delimiter + choice after the prompt; acc takes the
/// highest log-likelihood, acc_norm the highest log-likelihood per character of the choice (Python's len: code points),
/// acc_bytes per UTF-8 byte. With partial evaluation (WinoGrande) the choices are contexts and the shared continuation
/// is scored after each. Few-shot examples, when asked for, are the first k documents, which are then not evaluated.
/// </summary>
public sealed partial class MultipleChoiceTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    private string Template => definition.String("context_template", "{query}\nAnswer:");
    private string Delimiter => definition.String("target_delimiter", " ");
    private string Format => definition.String("format", "llmfoundry");

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex TemplateField();

    private string Render(MultipleChoiceDocument d) =>
        TemplateField().Replace(Template, m => d.Fields.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The prompt of one document after its shots: one per choice for partial evaluation, else one.</summary>
    private IReadOnlyList<string> Contexts(string shots, MultipleChoiceDocument d) =>
        d.Continuation is null ? [shots + Render(d)] : d.Choices.Select(c => shots + c).ToList();

    private IReadOnlyList<string> Continuations(MultipleChoiceDocument d) =>
        d.Continuation is null ? d.Choices.Select(c => Delimiter + c).ToList() : [Delimiter + d.Continuation];

    private (List<MultipleChoiceDocument> Docs, DataIssues Issues, string Path) Load(TaskSettings s)
    {
        var issues = new DataIssues(s.Strict);
        string path = s.DataDir is not null ? Path.Combine(s.DataDir, Path.GetFileName(definition.String("data"))) : definition.DataPath("data", null);
        if (!File.Exists(path))
            throw new FileNotFoundException(definition.String("data_instructions", "") is { Length: > 0 } how
                ? $"{Name}: data file '{path}' not found. {how}"
                : $"{Name}: data file '{path}' not found");
        var docs = MultipleChoiceFormats.Read(Format, path, issues);
        // A template naming a field the documents lack would be a constant prompt: refuse it.
        if (docs[0].Continuation is null)
            foreach (Match m in TemplateField().Matches(Template))
                if (!docs[0].Fields.ContainsKey(m.Groups[1].Value))
                    throw new InvalidDataException($"{definition.FilePath}: context_template names field '{m.Groups[1].Value}', which the {Format} data ({path}) does not have; it has {string.Join(", ", docs[0].Fields.Keys.Select(k => "{" + k + "}"))}");
        return (docs, issues, path);
    }

    private string Shot(MultipleChoiceDocument d) =>
        d.Continuation is null ? Render(d) + Delimiter + d.Choices[d.Gold] : d.Choices[d.Gold] + Delimiter + d.Continuation;

    private string Fewshot(List<MultipleChoiceDocument> docs, int k) => string.Concat(docs.Take(k).Select(d => Shot(d) + "\n\n"));

    public TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = settings.NumFewshot ?? definition.Int("num_fewshot") ?? 0;
        var first = docs[Math.Min(k, docs.Count - 1)];
        int evaluated = Math.Min(docs.Count - k, settings.Limit ?? int.MaxValue);
        var contexts = Contexts(Fewshot(docs, k), first);
        string example = contexts.Count == 1 ? contexts[0]
            : string.Join("\n---- next context ----\n", contexts);
        return new TaskDescription(Name, definition.Kind, Description, path,
            new Dictionary<string, int> { ["test"] = docs.Count }, new Dictionary<string, int> { [Name] = evaluated },
            example, Continuations(first), issues.Warnings);
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = settings.NumFewshot ?? definition.Int("num_fewshot") ?? 0;
        if (k < 0 || k >= docs.Count) throw new ArgumentException($"--num-fewshot for {Name} must be 0 to {docs.Count - 1}, got {k}");
        var fit = FewshotFitOption.Of(settings);
        var items = new List<Item>();
        var requests = new List<ModelRequest>();
        foreach (var d in docs.Skip(k).Take(settings.Limit ?? int.MaxValue))
        {
            int shots = k;
            var contexts = Contexts(Fewshot(docs, shots), d);
            var continuations = Continuations(d);
            // lm-eval keeps every shot and the model cuts the context on the left; fit_shots=drop removes shots first.
            int longest = continuations.Max(c => model.CountPromptTokens(c)) - model.CountPromptTokens("");
            while (fit == FewshotFit.Drop && shots > 0 && contexts.Max(c => model.CountPromptTokens(c)) + longest - 1 > model.ContextLength)
                contexts = Contexts(Fewshot(docs, --shots), d);
            items.Add(new Item(d, contexts[0], shots, requests.Count));
            if (d.Continuation is null) requests.AddRange(continuations.Select(c => new LoglikelihoodRequest(contexts[0], c)));
            else requests.AddRange(contexts.Select(c => new LoglikelihoodRequest(c, continuations[0])));
        }
        var plan = new McPlan(Name, items, k)
        {
            ListedMetrics = definition.Metrics,
            DataSha256 = DataHash.Of(Path.GetDirectoryName(path)!, [path]),
            Documents = items.Count,
            Requests = requests,
            Settings = new Dictionary<string, object?>
            {
                ["num_fewshot"] = k, ["limit"] = settings.Limit, ["context_template"] = Template,
                ["target_delimiter"] = Delimiter, ["format"] = Format, ["fit_shots"] = FewshotFitOption.Name(fit), ["strict"] = settings.Strict,
            },
        };
        plan.Warnings.AddRange(issues.Warnings);
        return plan;
    }

    private sealed record Item(MultipleChoiceDocument Doc, string Prompt, int Shots, int First);

    /// <summary>What each metric means, in order of preference for the headline.</summary>
    public static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
    [
        ("acc", MetricDeclaration.Accuracy("correct")), ("acc_norm", MetricDeclaration.Accuracy("correct_norm")),
        ("acc_bytes", MetricDeclaration.Accuracy("correct_bytes")),
    ];

    private sealed class McPlan(string task, List<Item> items, int requestedShots) : TaskPlan
    {
        public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
        {
            var acc = new List<bool>();
            var accNorm = new List<bool>();
            var accBytes = new List<bool>();
            var samples = new List<IReadOnlyDictionary<string, object?>>();
            long truncated = 0, shotsDropped = 0;
            foreach (var (doc, prompt, shots, first) in items)
            {
                var lls = doc.Choices.Select((_, j) => (LoglikelihoodResponse)responses[first + j]).ToList();
                // lm-eval's process_results: len(choice) (code points) and len(choice.encode("utf-8")), choice without delimiter.
                var perChar = lls.Select((l, j) => l.LogLikelihood / doc.Choices[j].EnumerateRunes().Count()).ToList();
                var perByte = lls.Select((l, j) => l.LogLikelihood / Encoding.UTF8.GetByteCount(doc.Choices[j])).ToList();
                int pred = ArgMax(lls.Select(l => l.LogLikelihood).ToList()), predNorm = ArgMax(perChar), predBytes = ArgMax(perByte);
                acc.Add(pred == doc.Gold);
                accNorm.Add(predNorm == doc.Gold);
                accBytes.Add(predBytes == doc.Gold);
                bool wasTruncated = lls.Any(l => l.Truncated);
                truncated += wasTruncated ? 1 : 0;
                shotsDropped += requestedShots - shots;
                samples.Add(new Dictionary<string, object?>
                {
                    ["doc_id"] = doc.Index,
                    ["prompt_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16],
                    ["target"] = doc.Gold,
                    ["loglikelihoods"] = lls.Select(l => l.LogLikelihood).ToArray(),
                    ["prediction"] = pred,
                    ["prediction_norm"] = predNorm,
                    ["prediction_bytes"] = predBytes,
                    ["correct"] = pred == doc.Gold,
                    ["correct_norm"] = predNorm == doc.Gold,
                    ["correct_bytes"] = predBytes == doc.Gold,
                    ["shots"] = shots,
                    ["truncated"] = wasTruncated,
                });
            }
            var metrics = new Dictionary<string, MetricValue>
            {
                ["acc"] = MeanMetric.Of(acc), ["acc_norm"] = MeanMetric.Of(accNorm), ["acc_bytes"] = MeanMetric.Of(accBytes),
            };
            return new TaskScores
            {
                Metrics = metrics,
                Declarations = MetricDeclarations.For(task, metrics, Declared, ListedMetrics),
                Counts = new Dictionary<string, long> { ["truncated_prompts"] = truncated, ["shots_dropped"] = shotsDropped },
                ShotsHistogram = FewshotFitOption.Histogram(items.Select(i => i.Shots)),
                Samples = samples,
            };
        }

        private static int ArgMax(IReadOnlyList<double> v)
        {
            int best = 0;
            for (int i = 1; i < v.Count; i++) if (v[i] > v[best]) best = i;
            return best;
        }
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
    };
}
