namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>The repository root and reference files (fixtures in the repository first, ../shared for the rest).</summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The path of a reference file under ../shared: the repository's copy when it has one (tests/fixtures/shared,
    /// see TestSupport/SharedFiles.cs), else ../shared, else a skip with the reason.
    /// </summary>
    public static string Require(string relative) => SmallLlm.Eval.TestSupport.SharedFiles.Get(relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SmallLlm.Eval.sln"))) return dir.FullName;
        throw new InvalidOperationException($"SmallLlm.Eval.sln not found above {AppContext.BaseDirectory}");
    }
}
