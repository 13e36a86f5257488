using SmallLlm.Eval.Models;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// Combines shard folders: checks that they are the N shards of one run (same model, data, settings, plans), pools
/// their request caches, and scores every task from the pooled answers, so the results are what one unsharded run
/// writes (timing aside).
/// </summary>
public static class ShardMerge
{
    /// <param name="tokenizerFor">The shards' model's tokenizer (prompt fitting counts with it).</param>
    /// <param name="execution">Consent to run model-written code while scoring (code tasks): merge's own flags, since a
    /// shard manifest never carries consent.</param>
    /// <param name="force">Merge into a folder that already holds files (a shard's, a user's results): the merged run and
    /// a request cache of its own are added beside them; nothing there is deleted or overwritten.</param>
    public static IReadOnlyList<TaskResult> Run(IReadOnlyList<string> shardFolders, string output,
        Func<ShardManifest, ITextTokenizer> tokenizerFor, TextWriter log, Func<string, IProgressSink> progressFor, ExecutionPolicy? execution = null,
        bool force = false)
    {
        if (shardFolders.Count == 0) throw new ArgumentException("merge: give the shard folders");
        var manifests = shardFolders.Select(f => (Folder: f, Manifest: ShardManifest.Read(f))).ToList();
        var first = manifests[0];
        var reference = first.Manifest.Fingerprint().ToList();
        foreach (var (folder, m) in manifests.Skip(1))
        {
            var fp = m.Fingerprint().ToList();
            foreach (var (field, value) in reference)
            {
                string? other = fp.FirstOrDefault(x => x.Field == field).Value;
                if (other != value)
                    throw new InvalidDataException($"merge: shards differ in {field}: {first.Folder} has {value}, {folder} has {other ?? "(none)"}");
            }
            if (fp.Count != reference.Count)
                throw new InvalidDataException($"merge: {folder} has tasks or fields {first.Folder} lacks");
        }
        int n = first.Manifest.Of;
        var dup = manifests.GroupBy(x => x.Manifest.Shard).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidDataException($"merge: shard {dup.Key}/{n} given twice ({string.Join(", ", dup.Select(d => d.Folder))})");
        var missing = Enumerable.Range(1, n).Except(manifests.Select(x => x.Manifest.Shard)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"merge: missing shard(s) {string.Join(", ", missing.Select(i => $"{i}/{n}"))}");

        bool fresh = !Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any();
        if (!fresh && !force)
            throw new IOException($"merge: {output} is not empty (a shard's or a results folder: its request cache and files are not merge's to replace); give a new folder, or --force to add the merged run beside them (nothing there is deleted)");
        Directory.CreateDirectory(output);
        // Answers come from the shards alone: a fresh folder gets the usual cache name; a used one a new cache file
        // that merge creates, never one it did not.
        string cachePath = Path.Combine(output, ".cache", fresh ? "requests.sqlite" : $"merged-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(cachePath)!);
        using (var merged = new RequestCache(cachePath))
            foreach (var (folder, m) in manifests)
            {
                string shardCache = Path.IsPathRooted(m.Cache) ? m.Cache : Path.Combine(folder, m.Cache);
                if (!File.Exists(shardCache)) throw new FileNotFoundException($"merge: {folder}: its request cache {shardCache} is missing (copy the shard folder with its hidden .cache folder)");
                merged.ImportFrom(shardCache);
            }

        var manifest = first.Manifest;
        var settings = manifest.Plans.ToDictionary(p => p.Task, p => p.Settings);
        var spec = new EvalJobSpec
        {
            Model = manifest.ModelArgument,
            Tokenizer = manifest.TokenizerArgument,
            RollingStride = manifest.RollingStride,
            AllowNonFinite = manifest.AllowNonFinite,
            Tasks = manifest.Tasks,
            TasksDirectory = manifest.TasksDirectory,
            PluginsDirectory = manifest.PluginsDirectory,
            OutputDirectory = output,
            CachePath = cachePath,
            SettingsFor = t => settings[t] with { Execution = execution ?? ExecutionPolicy.None },
            LoadModel = _ => new CacheOnlyLanguageModel(manifest.Identity, manifest.ContextLength, tokenizerFor(manifest), manifest.VocabSize),
        };
        log.WriteLine($"merge: {n} shards of {string.Join(",", manifest.Tasks)} on {manifest.Identity.Name}");
        return EvalJob.Run(spec, log, progressFor);
    }
}
