namespace SmallLlm.Eval.TestSupport;

/// <summary>Finds result files in the run layout (<c>&lt;output&gt;/&lt;model-id&gt;/&lt;run-id&gt;/&lt;task&gt;.json</c>).</summary>
public static class RunResults
{
    /// <summary>The newest run folder of the (only, or named) model under <paramref name="outputDir"/>.</summary>
    public static string LatestRun(string outputDir, string? modelName = null)
    {
        string modelDir = ModelDirectory(outputDir, modelName);
        return Path.Combine(modelDir, File.ReadAllText(Path.Combine(modelDir, "latest")).Trim());
    }

    /// <summary>The folder of the (only, or named: its id starts with the name) model's runs.</summary>
    public static string ModelDirectory(string outputDir, string? modelName = null)
    {
        var modelDirs = Directory.GetDirectories(outputDir)
            .Where(d => File.Exists(Path.Combine(d, "latest")))
            .Where(d => modelName is null || Path.GetFileName(d).StartsWith(modelName + "-", StringComparison.Ordinal))
            .ToList();
        Assert.True(modelDirs.Count == 1, $"expected one model folder{(modelName is null ? "" : " of " + modelName)} under {outputDir}, found {modelDirs.Count}: {string.Join(", ", modelDirs.Select(Path.GetFileName))}");
        return modelDirs[0];
    }

    /// <summary>The newest run folder of the model that holds <paramref name="task"/>'s result.</summary>
    public static string RunWith(string outputDir, string task, string? modelName = null) =>
        Directory.GetDirectories(ModelDirectory(outputDir, modelName)).Where(d => File.Exists(Path.Combine(d, task + ".json")))
            .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
        ?? throw new FileNotFoundException($"no run of {task} under {outputDir}");

    /// <summary><c>&lt;newest run with the task&gt;/&lt;task&gt;.json</c>.</summary>
    public static string Result(string outputDir, string task, string? modelName = null) => Path.Combine(RunWith(outputDir, task, modelName), task + ".json");

    /// <summary><c>&lt;latest run&gt;/&lt;task&gt;.samples.jsonl</c>.</summary>
    public static string Samples(string outputDir, string task, string? modelName = null) => Path.Combine(RunWith(outputDir, task, modelName), task + ".samples.jsonl");
}
