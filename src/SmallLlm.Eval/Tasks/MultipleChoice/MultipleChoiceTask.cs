using System.Security.Cryptography;
using System.Text;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// Continuation-scored multiple choice (ARC, PIQA, HellaSwag-style): each choice is scored as a continuation of the
/// prompt; acc takes the highest log-likelihood, acc_norm the highest log-likelihood per UTF-8 byte of the choice
/// (lm-evaluation-harness's length normalisation). Few-shot examples, when asked for, are the first k documents, which
/// are then not evaluated.
/// </summary>
public sealed class MultipleChoiceTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    private string Template => definition.String("context_template", "{query}\nAnswer:");
    private string Delimiter => definition.String("target_delimiter", " ");

    private string Render(MultipleChoiceDocument d) => Template.Replace("{query}", d.Query);

    private (List<MultipleChoiceDocument> Docs, DataIssues Issues, string Path) Load(TaskSettings s)
    {
        var issues = new DataIssues(s.Strict);
        string path = s.DataDir is not null ? Path.Combine(s.DataDir, Path.GetFileName(definition.String("data"))) : definition.DataPath("data", null);
        return (MultipleChoiceJsonl.Read(path, issues), issues, path);
    }

    private string Fewshot(List<MultipleChoiceDocument> docs, int k) =>
        string.Concat(docs.Take(k).Select(d => Render(d) + Delimiter + d.Choices[d.Gold] + "\n\n"));

    public TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = settings.NumFewshot ?? definition.Int("num_fewshot") ?? 0;
        var first = docs[Math.Min(k, docs.Count - 1)];
        int evaluated = Math.Min(docs.Count - k, settings.Limit ?? int.MaxValue);
        return new TaskDescription(Name, definition.Kind, Description, path,
            new Dictionary<string, int> { ["test"] = docs.Count }, new Dictionary<string, int> { [Name] = evaluated },
            Fewshot(docs, k) + Render(first), first.Choices.Select(c => Delimiter + c).ToList(), issues.Warnings);
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        int k = settings.NumFewshot ?? definition.Int("num_fewshot") ?? 0;
        if (k < 0 || k >= docs.Count) throw new ArgumentException($"--num-fewshot for {Name} must be 0 to {docs.Count - 1}, got {k}");
        string shots = Fewshot(docs, k);
        var items = new List<(MultipleChoiceDocument Doc, string Prompt, int First)>();
        var requests = new List<ModelRequest>();
        string? firstUnfit = null;
        foreach (var d in docs.Skip(k).Take(settings.Limit ?? int.MaxValue))
        {
            if (ContinuationFit.Problem(model, d.Choices.Select(c => Delimiter + c).ToList()) is string unfit)
            {
                firstUnfit ??= $"{d.Source}: {unfit}";
                issues.Report(d.Source, unfit);
                continue;
            }
            string prompt = shots + Render(d);
            items.Add((d, prompt, requests.Count));
            requests.AddRange(d.Choices.Select(c => new LoglikelihoodRequest(prompt, Delimiter + c)));
        }
        // Skipping a document is for the odd one out; when none fits, the model cannot run this task at all.
        if (items.Count == 0 && firstUnfit is not null)
            throw new InvalidDataException($"{Name}: no document fits this model (e.g. {firstUnfit})");
        var plan = new McPlan(items)
        {
            DataSha256 = DataHash.Of(Path.GetDirectoryName(path)!, [path]),
            Documents = items.Count,
            Requests = requests,
            Settings = new Dictionary<string, object?>
            {
                ["num_fewshot"] = k, ["limit"] = settings.Limit, ["context_template"] = Template,
                ["target_delimiter"] = Delimiter, ["strict"] = settings.Strict,
            },
        };
        plan.Warnings.AddRange(issues.Warnings); // after planning: documents skipped while planning are in it too
        return plan;
    }

    private sealed class McPlan(List<(MultipleChoiceDocument Doc, string Prompt, int First)> items) : TaskPlan
    {
        public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
        {
            var acc = new List<bool>();
            var accNorm = new List<bool>();
            var samples = new List<IReadOnlyDictionary<string, object?>>();
            long truncated = 0;
            foreach (var (doc, prompt, first) in items)
            {
                var lls = doc.Choices.Select((_, j) => (LoglikelihoodResponse)responses[first + j]).ToList();
                var norm = lls.Select((l, j) => l.LogLikelihood / Math.Max(1, Encoding.UTF8.GetByteCount(doc.Choices[j]))).ToList();
                int pred = ArgMax(lls.Select(l => l.LogLikelihood).ToList()), predNorm = ArgMax(norm);
                acc.Add(pred == doc.Gold);
                accNorm.Add(predNorm == doc.Gold);
                bool wasTruncated = lls.Any(l => l.Truncated);
                truncated += wasTruncated ? 1 : 0;
                samples.Add(new Dictionary<string, object?>
                {
                    ["doc_id"] = doc.Index,
                    ["prompt_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16],
                    ["target"] = doc.Gold,
                    ["loglikelihoods"] = lls.Select(l => l.LogLikelihood).ToArray(),
                    ["prediction"] = pred,
                    ["prediction_norm"] = predNorm,
                    ["correct"] = pred == doc.Gold,
                    ["correct_norm"] = predNorm == doc.Gold,
                    ["truncated"] = wasTruncated,
                });
            }
            return new TaskScores
            {
                Metrics = new Dictionary<string, MetricValue> { ["acc"] = MeanMetric.Of(acc), ["acc_norm"] = MeanMetric.Of(accNorm) },
                Counts = new Dictionary<string, long> { ["truncated_prompts"] = truncated },
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
}
