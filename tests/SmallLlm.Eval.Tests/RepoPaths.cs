using SmallLlm.Eval.Configuration;

namespace SmallLlm.Eval.Tests;

/// <summary>The repository's bundled tasks, and scratch folders.</summary>
public static class RepoPaths
{
    public static string Tasks => ProjectPaths.TasksDirectory(null);

    public static string Temp(string name = "")
    {
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-harness-tests", name + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
