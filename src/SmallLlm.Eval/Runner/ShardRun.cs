using System.Security.Cryptography;
using System.Text;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// One shard of a run: the runner plans every task in full (no model calls) and computes only this shard's block of
/// requests into the request cache (<see cref="EvalRunner.RunShard"/>); this writes shard.json. Scoring waits for
/// <see cref="ShardMerge"/>, which needs every block.
/// </summary>
public static class ShardRun
{
    public static ShardManifest Run(EvalJobSpec spec, Shard shard, EvalRunner runner, ILanguageModel model, RequestCache cache,
        IReadOnlyList<IEvalTask> tasks, TextWriter log)
    {
        // The shard manifest does not carry the chat template to merge with.
        if (tasks.Any(task => spec.SettingsFor(task.Name).Chat is not null))
            throw new ArgumentException("--shard with --apply-chat-template is not supported: run the chat evaluation without --shard");
        var plans = tasks.Select(task => runner.RunShard(task, spec.SettingsFor(task.Name), shard, log)).ToList();
        string output = Path.GetFullPath(spec.OutputDirectory);
        string cachePath = Path.GetFullPath(cache.Path);
        string relative = Path.GetRelativePath(output, cachePath);
        var manifest = new ShardManifest
        {
            Shard = shard.Index,
            Of = shard.Count,
            ModelArgument = spec.Model,
            TokenizerArgument = spec.Tokenizer,
            DType = spec.DType.Name(),
            RollingStride = spec.RollingStride,
            AllowNonFinite = spec.AllowNonFinite,
            Identity = model.Identity,
            ContextLength = model.ContextLength,
            VocabSize = model.Description.VocabSize,
            Tasks = tasks.Select(t => t.Name).ToList(),
            TasksDirectory = spec.TasksDirectory,
            PluginsDirectory = spec.PluginsDirectory,
            Plans = plans,
            Cache = relative.StartsWith("..", StringComparison.Ordinal) ? cachePath : relative,
        };
        manifest.Write(output);
        return manifest;
    }

    public static string PlanHash(IReadOnlyList<ModelRequest> requests)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in requests) sha.AppendData(Encoding.UTF8.GetBytes(RequestCache.Key(r) + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
