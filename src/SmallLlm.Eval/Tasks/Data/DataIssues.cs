namespace SmallLlm.Eval.Tasks.Data;

/// <summary>
/// Collects problems found in task data: in strict mode the first one fails the run, otherwise the row is skipped and
/// the problem is kept as a warning (never dropped silently).
/// </summary>
public sealed class DataIssues(bool strict)
{
    private readonly List<string> _warnings = new();
    public IReadOnlyList<string> Warnings => _warnings;
    public int Skipped { get; private set; }

    public void Report(string where, string problem)
    {
        string message = $"{where}: {problem}";
        if (strict) throw new InvalidDataException(message + " (--strict)");
        _warnings.Add(message + "; row skipped");
        Skipped++;
    }

    public void Warn(string message)
    {
        if (strict) throw new InvalidDataException(message + " (--strict)");
        _warnings.Add(message);
    }
}
