namespace SmallLlm.Eval.Cli;

/// <summary>Paths as a user typed them: relative to the working directory when below it, so outputs carry no machine paths.</summary>
public static class DisplayPath
{
    public static string Of(string path)
    {
        string full = Path.GetFullPath(path);
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
