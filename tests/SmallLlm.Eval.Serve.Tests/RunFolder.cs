namespace SmallLlm.Eval.Serve.Tests;

/// <summary>The latest run folder of the one model in a results folder (&lt;output&gt;/&lt;model id&gt;/&lt;run id&gt;).</summary>
public static class RunFolder
{
    public static string Latest(string output)
    {
        var models = Directory.GetDirectories(output).Where(d => !Path.GetFileName(d).StartsWith('.')).ToList();
        Assert.True(models.Count == 1, $"{output}: expected one model folder, found {models.Count}");
        string latest = File.ReadAllText(Path.Combine(models[0], "latest")).Trim();
        return Path.Combine(models[0], latest);
    }
}
