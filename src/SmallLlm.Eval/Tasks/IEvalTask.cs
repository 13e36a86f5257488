using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Tasks;

/// <summary>
/// A task turns documents into model requests, and the answers into per-sample scores and aggregate metrics. It only
/// talks to the model through <see cref="ILanguageModel"/>.
/// </summary>
public interface IEvalTask
{
    string Name { get; }
    string Version { get; }
    string Description { get; }

    /// <summary>What the task would ask, without a model: documents per split/group and a rendered example prompt.</summary>
    TaskDescription Describe(TaskSettings settings);

    /// <summary>Loads the documents and builds the requests, fitting prompts to <paramref name="model"/>'s context.</summary>
    TaskPlan Plan(ILanguageModel model, TaskSettings settings);
}

/// <summary>Documents and requests of one run, and how to score the answers.</summary>
public abstract class TaskPlan
{
    public required string DataSha256 { get; init; }
    public required int Documents { get; init; }
    public required IReadOnlyList<ModelRequest> Requests { get; init; }
    /// <summary>The settings in effect (shots, limit, template, ...), echoed into the results.</summary>
    public required IReadOnlyDictionary<string, object?> Settings { get; init; }
    public List<string> Warnings { get; } = new();
    /// <summary>The task file's "metrics" (its first is the headline), checked against what the kind declares.</summary>
    public IReadOnlyList<string>? ListedMetrics { get; init; }

    public abstract TaskScores Score(IReadOnlyList<ModelResponse> responses);
}

/// <summary>A metric with its standard error over <see cref="N"/> samples.</summary>
public sealed record MetricValue(double Value, double? Stderr, int N);

public sealed record TaskScores
{
    /// <summary>Headline metrics: name → value.</summary>
    public required IReadOnlyDictionary<string, MetricValue> Metrics { get; init; }
    /// <summary>How each metric is read (direction, aggregation, headline): <see cref="MetricDeclarations.For"/>.</summary>
    public required IReadOnlyDictionary<string, MetricDeclaration> Declarations { get; init; }
    /// <summary>Breakdowns such as per subject and per category: group kind → group → metric.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricValue>> Breakdown { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, MetricValue>>();
    /// <summary>Counters such as truncated prompts and dropped shots.</summary>
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();
    /// <summary>Few-shot tasks: documents per number of shots actually in the prompt ("5" → 560, "3" → 10); null otherwise.</summary>
    public IReadOnlyDictionary<string, long>? ShotsHistogram { get; init; }
    /// <summary>One record per document, enough to recompute every metric and compare runs sample by sample.</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, object?>> Samples { get; init; }
}

public sealed record TaskDescription(string Name, string Kind, string Description, string DataPath,
    IReadOnlyDictionary<string, int> DocumentsPerSplit, IReadOnlyDictionary<string, int> DocumentsPerGroup, string ExamplePrompt,
    IReadOnlyList<string> ExampleContinuations, IReadOnlyList<string> Warnings);
