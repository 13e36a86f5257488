namespace SmallLlm.Eval.Results;

/// <summary>
/// Where a sample came from, as written into per-sample files: "file:line" with the file relative to the working
/// directory when it lies below it, so result files do not depend on where the repository was cloned.
/// </summary>
public static class SampleSource
{
    public static string Portable(string source)
    {
        int colon = source.LastIndexOf(':');
        string file = colon > 0 ? source[..colon] : source, rest = colon > 0 ? source[colon..] : "";
        if (!Path.IsPathRooted(file)) return source;
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? file : relative.Replace('\\', '/')) + rest;
    }
}
