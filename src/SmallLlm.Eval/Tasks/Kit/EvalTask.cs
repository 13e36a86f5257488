using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>
/// The common plumbing of a task kind: name, version and description from the task file, one data-path rule, shots,
/// and a plan built from a <see cref="RequestSet"/> and a scoring function. A kind implements
/// <see cref="Describe"/> and <see cref="Plan(ILanguageModel, TaskSettings)"/> (see README "Adding a task").
/// </summary>
public abstract class EvalTask(TaskDefinition definition) : IEvalTask
{
    protected TaskDefinition Definition => definition;
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    public abstract TaskDescription Describe(TaskSettings settings);
    public abstract TaskPlan Plan(ILanguageModel model, TaskSettings settings);

    /// <summary>
    /// The one data-path rule: the task file's "data", relative to the task file; <c>--data-dir FOLDER</c> replaces
    /// that folder (the file name is kept). A missing file names the path and the task file's "data_instructions".
    /// </summary>
    protected string DataFile(TaskSettings settings)
    {
        string path = settings.DataDir is not null ? Path.Combine(settings.DataDir, Path.GetFileName(definition.String("data"))) : definition.DataPath("data", null);
        if (File.Exists(path)) return path;
        string how = definition.String("data_instructions", "");
        throw new FileNotFoundException($"{Name}: data file '{path}' not found" + (how.Length > 0 ? ". " + how : ""));
    }

    protected int Shots(TaskSettings settings, int fallback = 0) => settings.NumFewshot ?? definition.Int("num_fewshot") ?? fallback;

    /// <summary>A plan whose <paramref name="score"/> runs with the answers bound to <paramref name="requests"/>.</summary>
    protected TaskPlan Plan(RequestSet requests, string dataFile, int documents, IReadOnlyDictionary<string, object?> settings,
        DataIssues issues, Func<TaskScores> score) =>
        Plan(requests, Path.GetDirectoryName(dataFile)!, [dataFile], documents, settings, issues, score);

    /// <summary>The same, for data in several files under <paramref name="dataRoot"/> (all of them are hashed).</summary>
    protected TaskPlan Plan(RequestSet requests, string dataRoot, IEnumerable<string> dataFiles, int documents,
        IReadOnlyDictionary<string, object?> settings, DataIssues issues, Func<TaskScores> score)
    {
        var plan = new BoundPlan(requests, score)
        {
            DataSha256 = DataHash.Of(dataRoot, dataFiles),
            Documents = documents,
            Requests = requests.Requests,
            Settings = settings,
            ListedMetrics = definition.Metrics,
        };
        plan.Warnings.AddRange(issues.Warnings);
        return plan;
    }

    /// <summary>Scores with each metric's declaration (headline from the task file's "metrics", else the first declared).</summary>
    protected TaskScores Scores(IReadOnlyDictionary<string, MetricValue> metrics, IReadOnlyList<(string, MetricDeclaration)> declared,
        IReadOnlyList<IReadOnlyDictionary<string, object?>> samples, IReadOnlyDictionary<string, long>? counts = null,
        IReadOnlyDictionary<string, long>? shotsHistogram = null) => new()
    {
        Metrics = metrics,
        Declarations = MetricDeclarations.For(Name, metrics, declared, definition.Metrics),
        Samples = samples,
        Counts = counts ?? new Dictionary<string, long>(),
        ShotsHistogram = shotsHistogram,
    };

    private sealed class BoundPlan(RequestSet requests, Func<TaskScores> score) : TaskPlan
    {
        public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
        {
            requests.Bind(responses);
            return score();
        }
    }
}
