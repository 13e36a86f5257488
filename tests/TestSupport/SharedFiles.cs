namespace SmallLlm.Eval.TestSupport;

/// <summary>Locates the read-only reference files in ../shared beside the repository; tests skip when it is absent.</summary>
public static class SharedFiles
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        // A worktree away from the repository's usual place can point at the reference files explicitly.
        if (Environment.GetEnvironmentVariable("SMALLEVAL_SHARED") is { Length: > 0 } env) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SmallLlm.Eval.sln")))
            {
                string shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared) ? shared : null;
            }
        return null;
    }

    /// <summary>The path of a shared file; skips the calling test with a clear message when ../shared is absent.</summary>
    public static string Get(string relative)
    {
        Skip.If(Root is null, "../shared (reference files) is not present beside this clone: reference test skipped");
        string path = Path.Combine(Root!, relative);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"../shared/{relative} is missing: reference test skipped");
        return path;
    }

    public const string Stories = "models/stories260K";
}
