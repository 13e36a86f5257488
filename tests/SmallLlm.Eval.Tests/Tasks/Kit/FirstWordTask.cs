using System.Text.Json;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Tests.Tasks.Kit;

/// <summary>README's "Adding a task" example, complete: does the model continue a text with the expected next word?</summary>
public sealed class FirstWordTask(TaskDefinition definition) : EvalTask(definition)
{
    private sealed record Sample(int DocId, string Word, double Loglikelihood, bool Correct);

    private (List<(string Text, string Word)> Docs, DataIssues Issues, string Path) Load(TaskSettings settings)
    {
        var issues = new DataIssues(settings.Strict);
        string path = DataFile(settings);
        var docs = new List<(string, string)>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
            if (o.TryGetProperty("text", out var t) && o.TryGetProperty("word", out var w) && t.ValueKind == JsonValueKind.String && w.ValueKind == JsonValueKind.String)
                docs.Add((t.GetString()!, w.GetString()!));
            else issues.Report(where, "expected {\"text\": string, \"word\": string}");
        return (docs, issues, path);
    }

    public override TaskDescription Describe(TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        return new TaskDescription(Name, Definition.Kind, Description, path, new Dictionary<string, int> { ["test"] = docs.Count },
            new Dictionary<string, int> { [Name] = docs.Count }, docs[0].Text, [" " + docs[0].Word], issues.Warnings);
    }

    public override TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (docs, issues, path) = Load(settings);
        var requests = new RequestSet();
        var asked = docs.Take(settings.Limit ?? int.MaxValue).Select(d => (d.Word, Answer: requests.Loglikelihood(d.Text, " " + d.Word))).ToList();
        return Plan(requests, path, asked.Count, new Dictionary<string, object?> { ["limit"] = settings.Limit }, issues, () =>
        {
            var samples = asked.Select((a, i) => SampleRecord.Of(new Sample(i, a.Word, a.Answer.Value.LogLikelihood, a.Answer.Value.IsGreedy))).ToList();
            var metrics = new Dictionary<string, MetricValue> { ["acc"] = MeanMetric.Of(asked.Select(a => a.Answer.Value.IsGreedy)) };
            return Scores(metrics, [("acc", MetricDeclaration.Accuracy("correct"))], samples);
        });
    }
}

/// <summary>Task files say "kind": "first_word"; any other field than the common ones is refused.</summary>
public sealed class FirstWordTaskKind : ITaskKind
{
    public string Kind => "first_word";
    public IEvalTask Create(TaskDefinition definition) => new FirstWordTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>();
}
