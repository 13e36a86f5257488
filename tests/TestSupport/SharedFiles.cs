namespace SmallLlm.Eval.TestSupport;

/// <summary>
/// Locates reference files by their path under ../shared: first the copies in tests/fixtures/shared (small files,
/// see its PROVENANCE.md), then identical files the repository already holds (the bundled model, task data), then
/// ../shared beside the clone (or $SMALLEVAL_SHARED). A test skips, with the reason, only when none has the file.
/// </summary>
public static class SharedFiles
{
    public static string? Root { get; } = Find();

    /// <summary>Files under ../shared that the repository holds byte for byte elsewhere (sha256 in tests/fixtures/shared/PROVENANCE.md).</summary>
    private static readonly Dictionary<string, string> InRepository = new(StringComparer.Ordinal)
    {
        ["models/stories260K/stories260K.bin"] = "src/SmallLlm.Eval.Engine/BundledModels/stories260K/stories260K.bin",
        ["data/perplexity/tinystories/tinystories_sample.txt"] = "tasks/perplexity/data/tinystories_sample.txt",
    };

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("SMALLEVAL_SHARED") is { Length: > 0 } env && Directory.Exists(env)) return Path.GetFullPath(env);
        string shared = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }

    /// <summary>The path of a reference file or folder; skips the calling test with the reason when no copy exists.</summary>
    public static string Get(string relative)
    {
        if (TryGet(relative) is string path) return path;
        Skip.If(Root is null, $"../shared/{relative} is needed and is neither in tests/fixtures/shared nor beside this clone (../shared absent; set SMALLEVAL_SHARED to its folder): reference test skipped");
        Skip.If(true, $"../shared/{relative} is missing: reference test skipped");
        return "";
    }

    /// <summary>The path of a reference file or folder, or null when no copy exists.</summary>
    public static string? TryGet(string relative)
    {
        relative = relative.Replace('\\', '/');
        // A folder may be copied in part: the whole one in ../shared wins.
        if (Root is not null && Directory.Exists(Path.Combine(Root, relative))) return Path.Combine(Root, relative);
        string fixture = Path.Combine(RepoPaths.Root, "tests", "fixtures", "shared", relative);
        if (File.Exists(fixture) || Directory.Exists(fixture)) return fixture;
        if (InRepository.TryGetValue(relative, out var own) && File.Exists(Path.Combine(RepoPaths.Root, own))) return Path.Combine(RepoPaths.Root, own);
        if (Root is null) return null;
        string path = Path.Combine(Root, relative);
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }

    public const string Stories = "models/stories260K";
}
