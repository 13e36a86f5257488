using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Perplexity;

/// <summary>
/// Language-model perplexity of a corpus: each document is scored whole from BOS with rolling windows at the model's
/// context (the model's rolling stride decides the overlap), and token, word and byte perplexities and bits per byte
/// are computed from the corpus sums. <c>--data-dir</c> names any text file or folder to score instead of the bundled one.
/// </summary>
public sealed class PerplexityTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    private DocumentSplit Split => PerplexityCorpus.ParseSplit(definition.String("split", "file"));
    private string? Separator => definition.Fields["separator"]?.GetValue<string>();

    private (PerplexityCorpus Corpus, DataIssues Issues, string Path) Load(TaskSettings settings)
    {
        var issues = new DataIssues(settings.Strict);
        string path = settings.DataDir is not null ? Path.GetFullPath(settings.DataDir) : definition.DataPath("data", null);
        return (PerplexityCorpus.Read(path, Split, Separator, issues), issues, path);
    }

    public TaskDescription Describe(TaskSettings settings)
    {
        var (corpus, issues, path) = Load(settings);
        var first = corpus.Documents[0].Text;
        int evaluated = Math.Min(corpus.Documents.Count, settings.Limit ?? int.MaxValue);
        return new TaskDescription(Name, definition.Kind, Description, path,
            new Dictionary<string, int> { ["documents"] = corpus.Documents.Count }, new Dictionary<string, int> { [Name] = evaluated },
            first.Length > 500 ? first[..500] + " ..." : first, [], issues.Warnings);
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (corpus, issues, path) = Load(settings);
        var docs = corpus.Documents.Take(settings.Limit ?? int.MaxValue).ToList();
        string root = File.Exists(path) ? Path.GetDirectoryName(path)! : path;
        var plan = new PerplexityPlan(docs)
        {
            Task = Name,
            ListedMetrics = definition.Metrics,
            DataSha256 = DataHash.Of(root, corpus.Files),
            Documents = docs.Count,
            Requests = docs.Select(d => (ModelRequest)new RollingLoglikelihoodRequest(d.Text)).ToList(),
            Settings = new Dictionary<string, object?>
            {
                ["data"] = settings.DataDir ?? definition.String("data"), ["split"] = definition.String("split", "file"),
                ["separator"] = Separator, ["limit"] = settings.Limit, ["context_length"] = model.ContextLength, ["strict"] = settings.Strict,
            },
            FileCounts = new Dictionary<string, long>
            {
                ["binary_files_skipped"] = corpus.BinaryFiles, ["empty_files_skipped"] = corpus.EmptyFiles,
                ["empty_documents_skipped"] = corpus.EmptyDocuments,
            },
        };
        plan.Warnings.AddRange(issues.Warnings);
        return plan;
    }
}

/// <summary>The "perplexity" kind of task definition.</summary>
public sealed class PerplexityTaskKind : ITaskKind
{
    public string Kind => "perplexity";
    public IEvalTask Create(TaskDefinition definition) => new PerplexityTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>
    {
        ["split"] = TaskFieldType.String, ["separator"] = TaskFieldType.String,
    };
}
