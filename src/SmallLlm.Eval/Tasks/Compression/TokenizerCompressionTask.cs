using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Tasks.Compression;

/// <summary>
/// The tokenizer comparison as a task, so that it appears in runs and leaderboards: tokens per UTF-8 byte of the
/// model's own tokenizer (<see cref="ILanguageModel.Tokenizer"/>, whatever the backend), and of any others named (definition field or task option "tokenizers", comma-separated), on the
/// configured corpora, counted by the tokenizer library's streaming <see cref="CorpusCounter"/>. It asks the model
/// nothing. <c>--data-dir</c> names a file or folder to count instead.
/// </summary>
public sealed class TokenizerCompressionTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    private List<string> Corpora(TaskSettings s) => s.DataDir is not null ? [Path.GetFullPath(s.DataDir)]
        : definition.Fields["corpora"]?.AsArray().Select(c => Path.GetFullPath(Path.Combine(definition.Folder, c!.GetValue<string>()))).ToList()
          ?? throw new InvalidDataException($"{definition.FilePath}: missing field 'corpora' (an array of files or folders)");

    private List<string> OtherTokenizers(TaskSettings s) =>
        (s.Options.TryGetValue("tokenizers", out var named) ? named.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : definition.Fields["tokenizers"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? []);

    public TaskDescription Describe(TaskSettings settings)
    {
        var (files, skipped) = CorpusEnumerator.Expand(Corpora(settings));
        return new TaskDescription(Name, definition.Kind, Description, string.Join(", ", Corpora(settings)),
            new Dictionary<string, int> { ["files"] = files.Count },
            files.GroupBy(f => Path.GetFileName(f.Corpus)).ToDictionary(g => g.Key, g => g.Count()),
            "", OtherTokenizers(settings), skipped.Select(s => $"{s.Path}: {s.Reason}, skipped").ToList());
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var own = model.Tokenizer; // whatever the backend: the built-in engine, llama.cpp's vocabulary, a remote model's
        var others = OtherTokenizers(settings).Where(t => t != own.Name).Distinct().Select(TokenizerCatalog.Resolve).ToList();
        var corpora = Corpora(settings);
        var (files, skipped) = CorpusEnumerator.Expand(corpora);
        var issues = new DataIssues(settings.Strict);
        foreach (var s in skipped) issues.Warn($"{s.Path}: {s.Reason}, skipped");
        var plan = new TokenizerCompressionPlan(new CorpusCounter([own, .. others]), corpora, skipped.Count)
        {
            Task = Name,
            ListedMetrics = definition.Metrics,
            DataSha256 = DataHash.Of(CommonRoot(files.Select(f => f.Path).ToList()), files.Select(f => f.Path)),
            Documents = files.Count,
            Requests = Array.Empty<ModelRequest>(),
            Settings = new Dictionary<string, object?>
            {
                ["corpora"] = corpora.Select(c => Path.GetRelativePath(definition.Folder, c).Replace('\\', '/')).ToList(),
                ["tokenizer"] = own.Name, ["other_tokenizers"] = others.Select(t => t.Name).ToList(),
            },
        };
        plan.Warnings.AddRange(issues.Warnings);
        return plan;
    }

    private static string CommonRoot(IReadOnlyList<string> files)
    {
        if (files.Count == 0) return Path.GetTempPath();
        string root = Path.GetDirectoryName(files[0])!;
        while (!files.All(f => f.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            root = Path.GetDirectoryName(root) ?? "/";
        return root;
    }
}

/// <summary>The "tokenizer_compression" kind of task definition.</summary>
public sealed class TokenizerCompressionTaskKind : ITaskKind
{
    public string Kind => "tokenizer_compression";
    public IEvalTask Create(TaskDefinition definition) => new TokenizerCompressionTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>
    {
        ["corpora"] = TaskFieldType.StringArray, ["tokenizers"] = TaskFieldType.StringArray,
    };
}
