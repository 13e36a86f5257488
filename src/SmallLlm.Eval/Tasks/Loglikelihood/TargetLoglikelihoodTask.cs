using System.Text.Json;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;
using static SmallLlm.Eval.Tasks.MultipleChoice.MultipleChoiceFormats;

namespace SmallLlm.Eval.Tasks.Loglikelihood;

/// <summary>
/// lm-evaluation-harness's loglikelihood output type (LAMBADA): one target per document scored after its context.
/// acc = greedy decoding reproduces the whole target (is_greedy); perplexity = exp(−mean log-likelihood) over documents
/// (lm-eval's "perplexity" aggregation; lm-eval bootstraps its stderr, here there is none). Data: llm-foundry's
/// {context, continuation} or lm-eval's {text}, split at its last ' '.
/// </summary>
public sealed class TargetLoglikelihoodTask(TaskDefinition definition) : EvalTask(definition)
{
    private string Delimiter => Definition.String("target_delimiter", " ");

    private sealed record Document(int Index, string Context, string Target);
    private sealed record Sample(int DocId, string Target, double Loglikelihood, int Tokens, bool Correct, bool Truncated);

    private (List<Document> Docs, DataIssues Issues, string Path) Load(TaskSettings settings)
    {
        var issues = new DataIssues(settings.Strict);
        string path = DataFile(settings);
        var docs = new List<Document>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            try
            {
                if (o.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object");
                if (!o.TryGetProperty("text", out _)) { docs.Add(new Document(docs.Count, Str(o, "context"), Str(o, "continuation"))); continue; }
                string text = Str(o, "text"); // lambada_openai.yaml: text.split(' ')[:-1] joined, and ' ' + the last word
                int last = text.LastIndexOf(' ');
                docs.Add(last > 0 ? new Document(docs.Count, text[..last], text[(last + 1)..]) : throw new FormatException("'text' has no space before its last word"));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException) { issues.Report(where, e.Message); }
        }
        return docs.Count > 0 ? (docs, issues, path) : throw new InvalidDataException($"{path}: no usable documents");
    }

    public override TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        return new TaskDescription(Name, Definition.Kind, Description, path, new Dictionary<string, int> { ["test"] = docs.Count },
            new Dictionary<string, int> { [Name] = Math.Min(docs.Count, settings.Limit ?? int.MaxValue) },
            docs[0].Context, [Delimiter + docs[0].Target], issues.Warnings);
    }

    private static readonly IReadOnlyList<(string, MetricDeclaration)> Declared =
        [("acc", MetricDeclaration.Accuracy("correct")), ("perplexity", new MetricDeclaration(false, "perplexity", false, null))];

    public override TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        if (Shots(settings) != 0) throw new ArgumentException($"{Name} is zero-shot (as lm-evaluation-harness's lambada_openai): --num-fewshot must be 0");
        var (all, issues, path) = Load(settings);
        var requests = new RequestSet();
        var docs = all.Take(settings.Limit ?? int.MaxValue).Select(d => (Doc: d, Answer: requests.Loglikelihood(d.Context, Delimiter + d.Target))).ToList();
        var echoed = new Dictionary<string, object?> { ["num_fewshot"] = 0, ["limit"] = settings.Limit, ["target_delimiter"] = Delimiter, ["strict"] = settings.Strict };
        return Plan(requests, path, docs.Count, echoed, issues, () =>
        {
            var answers = docs.Select(d => d.Answer.Value).ToList();
            var samples = docs.Select(d => SampleRecord.Of(new Sample(d.Doc.Index, d.Doc.Target, d.Answer.Value.LogLikelihood,
                d.Answer.Value.Tokens, d.Answer.Value.IsGreedy, d.Answer.Value.Truncated))).ToList();
            var metrics = new Dictionary<string, MetricValue>
            {
                ["acc"] = MeanMetric.Of(answers.Select(a => a.IsGreedy)),
                ["perplexity"] = new(Math.Exp(-answers.Average(a => a.LogLikelihood)), null, answers.Count),
            };
            return Scores(metrics, Declared, samples, new Dictionary<string, long> { ["truncated_prompts"] = answers.Count(a => a.Truncated) });
        });
    }
}

/// <summary>The "target_loglikelihood" kind of task definition.</summary>
public sealed class TargetLoglikelihoodTaskKind : ITaskKind
{
    public string Kind => "target_loglikelihood";
    public IEvalTask Create(TaskDefinition definition) => new TargetLoglikelihoodTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType> { ["target_delimiter"] = TaskFieldType.String };
}
