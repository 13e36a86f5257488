namespace SmallLlm.Eval.Configuration;

/// <summary>Finds the project's folders (tasks/, eval.config.json) from the working directory or the program's location.</summary>
public static class ProjectPaths
{
    /// <summary>The nearest folder, walking up from the working directory and then from the program, that holds <paramref name="child"/>.</summary>
    public static string? FindUpwards(string child)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, child);
                if (Directory.Exists(candidate) || File.Exists(candidate)) return candidate;
            }
        return null;
    }

    public static string TasksDirectory(string? explicitDir) =>
        explicitDir ?? FindUpwards("tasks") ?? throw new DirectoryNotFoundException(
            "no tasks/ folder found above the working directory or the program: run from the repository or pass --tasks-dir");

    public static string DefaultConfig() =>
        FindUpwards("eval.config.json") ?? throw new FileNotFoundException(
            "no eval.config.json found above the working directory or the program: pass --config");
}
