using System.Security.Cryptography;
using System.Text;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// One shard of a run: plans every task in full (no model calls), computes only this shard's block of requests into
/// the request cache, and writes shard.json. Scoring waits for <see cref="ShardMerge"/>, which needs every block.
/// </summary>
public static class ShardRun
{
    public static ShardManifest Run(EvalJobSpec spec, Shard shard, ILanguageModel model, RequestCache cache,
        IReadOnlyList<IEvalTask> tasks, Func<string, IProgressSink> progressFor, TextWriter log)
    {
        var cached = new CachingLanguageModel(model, cache, spec.CommitEvery);
        var plans = new List<ShardTaskPlan>();
        foreach (var task in tasks)
        {
            var settings = spec.SettingsFor(task.Name);
            if (settings.Chat is not null) // the shard manifest does not carry the template to merge
                throw new ArgumentException("--shard with --apply-chat-template is not supported: run the chat evaluation without --shard");
            var plan = task.Plan(cached, settings);
            var (from, to) = shard.Block(plan.Requests);
            Execute(cached, plan.Requests.Skip(from).Take(to - from).ToList(), progressFor(task.Name));
            plans.Add(new ShardTaskPlan(task.Name, task.Version, plan.DataSha256, settings, plan.Requests.Count, PlanHash(plan.Requests)));
            log.WriteLine($"shard {shard}: {task.Name}: requests {from}..{to - 1} of {plan.Requests.Count} computed");
        }
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

    private static void Execute(CachingLanguageModel model, IReadOnlyList<ModelRequest> requests, IProgressSink progress)
    {
        var ll = requests.OfType<LoglikelihoodRequest>().ToList();
        var rolling = requests.OfType<RollingLoglikelihoodRequest>().ToList();
        var gen = requests.OfType<GenerateRequest>().ToList();
        if (ll.Count > 0) model.Loglikelihood(ll, progress);
        if (rolling.Count > 0) model.LoglikelihoodRolling(rolling, progress);
        if (gen.Count > 0) model.GenerateUntil(gen, progress);
    }
}
