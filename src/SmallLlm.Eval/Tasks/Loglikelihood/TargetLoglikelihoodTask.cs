using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;
using static SmallLlm.Eval.Tasks.MultipleChoice.MultipleChoiceFormats;

namespace SmallLlm.Eval.Tasks.Loglikelihood;

/// <summary>
/// lm-evaluation-harness's loglikelihood output type (LAMBADA): one target per document scored after its context.
/// acc = greedy decoding reproduces the whole target (is_greedy), perplexity = exp(−mean log-likelihood) over documents
/// (lm-eval's "perplexity" aggregation; like lm-eval's, it has no analytic standard error). Data: llm-foundry's
/// {context, continuation} or lm-eval's {text} split at the last ' '.
/// </summary>
public sealed class TargetLoglikelihoodTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;
    private string Delimiter => definition.String("target_delimiter", " ");

    private sealed record Document(int Index, string Context, string Target, string Source);

    private (List<Document> Docs, DataIssues Issues, string Path) Load(TaskSettings s)
    {
        var issues = new DataIssues(s.Strict);
        string path = s.DataDir is not null ? Path.Combine(s.DataDir, Path.GetFileName(definition.String("data"))) : definition.DataPath("data", null);
        var docs = new List<Document>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            try
            {
                if (o.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object");
                if (o.TryGetProperty("text", out _))
                {
                    // lambada_openai.yaml: doc_to_text = text.split(' ')[:-1]|join(' '), doc_to_target = ' ' + text.split(' ')[-1]
                    string text = Str(o, "text");
                    int last = text.LastIndexOf(' ');
                    if (last < 0) throw new FormatException("'text' has no space before its last word");
                    docs.Add(new Document(docs.Count, text[..last], text[(last + 1)..], where));
                }
                else docs.Add(new Document(docs.Count, Str(o, "context"), Str(o, "continuation"), where));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException) { issues.Report(where, e.Message); }
        }
        if (docs.Count == 0) throw new InvalidDataException($"{path}: no usable documents");
        return (docs, issues, path);
    }

    public TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        return new TaskDescription(Name, definition.Kind, Description, path, new Dictionary<string, int> { ["test"] = docs.Count },
            new Dictionary<string, int> { [Name] = Math.Min(docs.Count, settings.Limit ?? int.MaxValue) },
            docs[0].Context, [Delimiter + docs[0].Target], issues.Warnings);
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        if (settings.NumFewshot is > 0) throw new ArgumentException($"{Name} is zero-shot (as lm-evaluation-harness's lambada_openai): --num-fewshot must be 0");
        var (all, issues, path) = Load(settings);
        var docs = all.Take(settings.Limit ?? int.MaxValue).ToList();
        var plan = new Scoring(Name, docs)
        {
            DataSha256 = DataHash.Of(Path.GetDirectoryName(path)!, [path]),
            Documents = docs.Count,
            Requests = docs.Select(d => (ModelRequest)new LoglikelihoodRequest(d.Context, Delimiter + d.Target)).ToList(),
            Settings = new Dictionary<string, object?> { ["num_fewshot"] = 0, ["limit"] = settings.Limit, ["target_delimiter"] = Delimiter, ["strict"] = settings.Strict },
            ListedMetrics = definition.Metrics,
        };
        plan.Warnings.AddRange(issues.Warnings);
        return plan;
    }

    private static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
    [
        ("acc", MetricDeclaration.Accuracy("correct")),
        ("perplexity", new MetricDeclaration(false, "perplexity", false, null)),
    ];

    private sealed class Scoring(string task, List<Document> docs) : TaskPlan
    {
        public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
        {
            var samples = new List<IReadOnlyDictionary<string, object?>>();
            var greedy = new List<bool>();
            double sum = 0;
            long truncated = 0;
            for (int i = 0; i < docs.Count; i++)
            {
                var r = (LoglikelihoodResponse)responses[i];
                greedy.Add(r.IsGreedy);
                sum += r.LogLikelihood;
                truncated += r.Truncated ? 1 : 0;
                samples.Add(new Dictionary<string, object?>
                {
                    ["doc_id"] = docs[i].Index,
                    ["prompt_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(docs[i].Context)))[..16],
                    ["target"] = docs[i].Target, ["loglikelihood"] = r.LogLikelihood, ["tokens"] = r.Tokens,
                    ["correct"] = r.IsGreedy, ["truncated"] = r.Truncated,
                });
            }
            var metrics = new Dictionary<string, MetricValue>
            {
                ["acc"] = MeanMetric.Of(greedy),
                ["perplexity"] = new(docs.Count == 0 ? double.NaN : Math.Exp(-sum / docs.Count), null, docs.Count),
            };
            return new TaskScores
            {
                Metrics = metrics,
                Declarations = MetricDeclarations.For(task, metrics, Declared, ListedMetrics),
                Counts = new Dictionary<string, long> { ["truncated_prompts"] = truncated },
                Samples = samples,
            };
        }
    }
}

/// <summary>The "target_loglikelihood" kind of task definition.</summary>
public sealed class TargetLoglikelihoodTaskKind : ITaskKind
{
    public string Kind => "target_loglikelihood";
    public IEvalTask Create(TaskDefinition definition) => new TargetLoglikelihoodTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType> { ["target_delimiter"] = TaskFieldType.String };
}
