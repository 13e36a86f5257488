using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Results;

/// <summary>
/// Where runs are filed: <c>&lt;output&gt;/&lt;model-id&gt;/&lt;run-id&gt;/&lt;task&gt;.json</c>, with
/// <c>&lt;output&gt;/&lt;model-id&gt;/latest</c> (a one-line text file) naming the newest run. A run never replaces another
/// run's files: each invocation gets a new run folder, and readers pick the latest run per task or a run explicitly.
/// </summary>
public static class RunFolders
{
    public const string LatestFile = "latest";

    /// <summary>
    /// Name, dtype and a short hash of everything that changes the model's answers (weights, dtype, tokenizer, prompt
    /// format, backend: the request-cache key), e.g. <c>stories260K-fp32-3f9a1c2e</c>: two checkpoints sharing a file
    /// name, or one checkpoint in fp32 and bf16, get different ids.
    /// </summary>
    public static string ModelId(ModelIdentity id)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id.CacheKey)))[..8];
        return $"{ResultFiles.ModelFolderName(id.Name)}-{ResultFiles.ModelFolderName(id.DType)}-{hash}";
    }

    /// <summary>A new, empty run folder under <c>&lt;output&gt;/&lt;modelId&gt;</c>, named by the UTC start time (sortable).</summary>
    public static string CreateRun(string outputDir, string modelId, DateTime startedUtc)
    {
        string modelDir = Path.Combine(outputDir, modelId);
        Directory.CreateDirectory(modelDir);
        string stamp = startedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int n = 1; ; n++)
        {
            string runDir = Path.Combine(modelDir, n == 1 ? stamp : $"{stamp}-{n}");
            if (Directory.Exists(runDir)) continue;
            Directory.CreateDirectory(runDir);
            return runDir;
        }
    }

    /// <summary>Points <c>&lt;model-id&gt;/latest</c> at this run (atomically).</summary>
    public static void MarkLatest(string runDir)
    {
        string modelDir = Path.GetDirectoryName(Path.GetFullPath(runDir))!;
        AtomicFile.Write(Path.Combine(modelDir, LatestFile), w => w.WriteLine(Path.GetFileName(runDir)));
    }

    /// <summary>
    /// The newest result file of every (model id, task) under <paramref name="outputDir"/>: run folders compare by
    /// name (their UTC start time). Results in the older flat layout (<c>&lt;model&gt;/&lt;task&gt;.json</c>) count as a run of their own.
    /// </summary>
    public static IReadOnlyList<string> LatestResultFiles(string outputDir)
    {
        var latest = new Dictionary<(string ModelDir, string Task), string>();
        foreach (string file in Directory.EnumerateFiles(outputDir, "*.json", SearchOption.AllDirectories))
        {
            if (Path.GetRelativePath(outputDir, file).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.'))) continue;
            string runDir = Path.GetDirectoryName(file)!;
            string modelDir = File.Exists(Path.Combine(Path.GetDirectoryName(runDir)!, LatestFile)) ? Path.GetDirectoryName(runDir)! : runDir;
            var key = (modelDir, Path.GetFileNameWithoutExtension(file));
            if (!latest.TryGetValue(key, out var known) || string.CompareOrdinal(file, known) > 0) latest[key] = file;
        }
        return latest.Values.Order(StringComparer.Ordinal).ToList();
    }
}
