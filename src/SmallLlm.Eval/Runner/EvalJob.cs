using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Runner;

/// <summary>What one `smalleval eval` (or one model of `smalleval run`) does.</summary>
public sealed record EvalJobSpec
{
    public required string Model { get; init; }
    public ModelDType DType { get; init; } = ModelDType.Float32;
    /// <summary>How <see cref="DType"/> was chosen (auto or asked for), recorded in results; null: asked for.</summary>
    public DTypeChoice? DTypeChoice { get; init; }
    public string? Tokenizer { get; init; }
    /// <summary>Rolling log-likelihood windows advance by this many tokens (null: disjoint full-context windows).</summary>
    public int? RollingStride { get; init; }
    public required IReadOnlyList<string> Tasks { get; init; }
    public required string TasksDirectory { get; init; }
    /// <summary>Task folders added to <see cref="TasksDirectory"/>'s (--include-tasks).</summary>
    public IReadOnlyList<string> IncludeTasks { get; init; } = [];
    /// <summary>--limit as a fraction of each task's documents (lm-eval's --limit 0.1), resolved to a count per task.</summary>
    public double? LimitFraction { get; init; }
    public string? PluginsDirectory { get; init; }
    public string BatchSize { get; init; } = "auto";
    public required string OutputDirectory { get; init; }
    /// <summary>SQLite request cache; null disables it.</summary>
    public string? CachePath { get; init; }
    public required Func<string, TaskSettings> SettingsFor { get; init; }
    /// <summary>Computed answers are committed to the cache in chunks of this many requests.</summary>
    public int CommitEvery { get; init; } = 512;
    /// <summary>Called after each task's files are written (e.g. to print its rows at once).</summary>
    public Action<TaskResult>? TaskFinished { get; init; }
    /// <summary>Record NaN or infinite scores (counted and warned about) instead of failing the task on them.</summary>
    public bool AllowNonFinite { get; init; }
    /// <summary>Cancelled on Ctrl-C: the answers in flight are committed, then the run stops (RunInterruptedException).</summary>
    public CancellationToken Interrupt { get; init; }
    /// <summary>Loads the model of another backend (llama.cpp); null: the built-in engine.</summary>
    public Func<EvalJobSpec, ILanguageModel>? LoadModel { get; init; }
    /// <summary>Compute only this shard's requests into the cache and write shard.json (scored later by merge).</summary>
    public Shard? Shard { get; init; }

    /// <summary>How the built-in engine loads <see cref="Model"/> for this job.</summary>
    public LocalModelOptions LocalModelOptions => new()
    {
        DType = DType, DTypeChoice = DTypeChoice, Tokenizer = Tokenizer, RollingStride = RollingStride, BatchSize = BatchSize,
    };
}

/// <summary>The results of one job, and where they were filed: <c>&lt;output&gt;/&lt;ModelId&gt;/&lt;run id&gt;</c>.</summary>
public sealed class EvalJobResults(IEnumerable<TaskResult> results, string modelId, string runDirectory) : List<TaskResult>(results)
{
    public string ModelId { get; } = modelId;
    public string RunDirectory { get; } = runDirectory;
    public string RunId => Path.GetFileName(RunDirectory);
}

/// <summary>Loads the model once, runs every task into a new run folder, writes results and the CSV summary.</summary>
public static class EvalJob
{
    public static EvalJobResults Run(EvalJobSpec spec, TextWriter log, Func<string, IProgressSink> progressFor)
    {
        ResultFiles.RemoveStaleTemporaries(spec.OutputDirectory);
        var registry = TaskRegistry.Load(spec.TasksDirectory, spec.PluginsDirectory, spec.IncludeTasks);
        var (names, settingsFor) = TaskNames.Expand(spec.Tasks, spec.SettingsFor);
        var tasks = names.Select(registry.Create).ToList(); // unknown names fail before the model loads
        if (spec.LimitFraction is double fraction) settingsFor = TaskNames.WithFractionLimit(tasks, settingsFor, fraction);
        var model = spec.LoadModel?.Invoke(spec) ?? LocalModelLoader.Load(spec.Model, spec.LocalModelOptions);
        using var owned = model as IDisposable;
        using var cache = spec.CachePath is null ? null : new RequestCache(spec.CachePath);
        // One runner, and so one caching wrapper with every option, whether the job is sharded or not.
        var runner = new EvalRunner(model, cache, progressFor, spec.CommitEvery, spec.AllowNonFinite, spec.Interrupt);
        if (spec.Shard is { } shard)
        {
            if (cache is null) throw new ArgumentException("--shard needs the request cache (it holds the shard's answers for merge): drop --no-cache");
            ShardRun.Run(spec with { SettingsFor = settingsFor }, shard, runner, model, cache, tasks, log);
            return new EvalJobResults([], RunFolders.ModelId(model.Identity), spec.OutputDirectory);
        }
        var results = new List<TaskResult>();
        string modelId = RunFolders.ModelId(model.Identity);
        string runDir = RunFolders.CreateRun(spec.OutputDirectory, modelId, DateTime.UtcNow);
        foreach (var task in tasks)
        {
            var result = runner.Run(task, settingsFor(task.Name), runDir);
            RunFolders.MarkLatest(runDir);
            results.Add(result);
            spec.TaskFinished?.Invoke(result);
            foreach (var w in result.Warnings.Take(5)) log.WriteLine($"warning: {task.Name}: {w}");
            if (result.Warnings.Count > 5) log.WriteLine($"warning: {task.Name}: ... and {result.Warnings.Count - 5} more (see the result file)");
        }
        ResultFiles.WriteSummaryCsv(spec.OutputDirectory);
        return new EvalJobResults(results, modelId, runDir);
    }
}
