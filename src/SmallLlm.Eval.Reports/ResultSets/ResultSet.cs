namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>The readable results files under a folder (or one file), and a warning per file that was skipped.</summary>
public sealed record ResultSet(string Source, IReadOnlyList<ResultFile> Files, IReadOnlyList<string> Warnings)
{
    public IEnumerable<string> Models => Files.Select(f => f.Model).Distinct(StringComparer.Ordinal);
    public IEnumerable<string> Tasks => Files.Select(f => f.Task).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
