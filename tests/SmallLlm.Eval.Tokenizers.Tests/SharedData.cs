namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>Finds ../shared beside the repository; tests that need it skip with this message when it is absent.</summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string? Root
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>The path of a file or folder under ../shared, or a skip when ../shared is not there.</summary>
    public static string Require(string relative)
    {
        string? root = Root;
        Skip.If(root == null, $"../shared is absent beside {RepoRoot}; this test needs ../shared/{relative}");
        string path = Path.Combine(root!, relative);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"../shared/{relative} is absent");
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SmallLlm.Eval.sln"))) return dir.FullName;
        throw new InvalidOperationException($"SmallLlm.Eval.sln not found above {AppContext.BaseDirectory}");
    }
}
