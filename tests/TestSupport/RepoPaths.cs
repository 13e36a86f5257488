namespace SmallLlm.Eval.TestSupport;

/// <summary>The repository the tests run from (the folder with SmallLlm.Eval.sln above the test binaries), its bundled
/// tasks, and scratch folders.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Tasks => Path.Combine(Root, "tasks");

    /// <summary>A new empty folder under the system temp folder, its name starting with <paramref name="name"/>.</summary>
    public static string Temp(string name = "")
    {
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-tests", name + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SmallLlm.Eval.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"SmallLlm.Eval.sln not found above the test binaries ({AppContext.BaseDirectory})");
    }
}
