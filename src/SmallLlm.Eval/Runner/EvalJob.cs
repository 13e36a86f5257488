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
    public string? PluginsDirectory { get; init; }
    public string BatchSize { get; init; } = "auto";
    public required string OutputDirectory { get; init; }
    /// <summary>SQLite request cache; null disables it.</summary>
    public string? CachePath { get; init; }
    public required Func<string, TaskSettings> SettingsFor { get; init; }
    /// <summary>Computed answers are committed to the cache in chunks of this many requests.</summary>
    public int CommitEvery { get; init; } = 512;
    /// <summary>Record NaN or infinite scores (counted and warned about) instead of failing the task on them.</summary>
    public bool AllowNonFinite { get; init; }
    /// <summary>Cancelled on Ctrl-C: the answers in flight are committed, then the run stops (RunInterruptedException).</summary>
    public CancellationToken Interrupt { get; init; }
    /// <summary>Loads the model of another backend (llama.cpp); null: the built-in engine.</summary>
    public Func<EvalJobSpec, ILanguageModel>? LoadModel { get; init; }
    /// <summary>Compute only this shard's requests into the cache and write shard.json (scored later by merge).</summary>
    public Shard? Shard { get; init; }
}

/// <summary>Loads the model once, runs every task, writes results and the CSV summary, and prints a table.</summary>
public static class EvalJob
{
    public static IReadOnlyList<TaskResult> Run(EvalJobSpec spec, TextWriter log, Func<string, IProgressSink> progressFor)
    {
        ResultFiles.RemoveStaleTemporaries(spec.OutputDirectory);
        var registry = TaskRegistry.Load(spec.TasksDirectory, spec.PluginsDirectory);
        var tasks = spec.Tasks.Select(registry.Create).ToList(); // unknown names fail before the model loads
        var model = spec.LoadModel?.Invoke(spec) ?? LocalLanguageModel.Load(spec.Model, spec.DType, spec.Tokenizer, rollingStride: spec.RollingStride);
        using var owned = model as IDisposable;
        if (model is LocalLanguageModel local)
        {
            local.UseBatching(BatchSize.Parse(spec.BatchSize, local.Engine.ParameterCount));
            local.DTypeChoice = spec.DTypeChoice ?? new DTypeChoice(spec.DType, spec.DType.Name(), "asked for");
        }
        using var cache = spec.CachePath is null ? null : new RequestCache(spec.CachePath);
        if (spec.Shard is { } shard)
        {
            if (cache is null) throw new ArgumentException("--shard needs the request cache (it holds the shard's answers for merge): drop --no-cache");
            ShardRun.Run(spec, shard, model, cache, tasks, progressFor, log);
            return [];
        }
        var runner = new EvalRunner(model, cache, progressFor, spec.CommitEvery, spec.AllowNonFinite, spec.Interrupt);
        var results = new List<TaskResult>();
        foreach (var task in tasks)
        {
            var result = runner.Run(task, spec.SettingsFor(task.Name), spec.OutputDirectory);
            results.Add(result);
            foreach (var w in result.Warnings.Take(5)) log.WriteLine($"warning: {task.Name}: {w}");
            if (result.Warnings.Count > 5) log.WriteLine($"warning: {task.Name}: ... and {result.Warnings.Count - 5} more (see the result file)");
        }
        ResultFiles.WriteSummaryCsv(spec.OutputDirectory);
        return results;
    }
}
