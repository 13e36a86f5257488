using System.Globalization;
using SmallLlm.Eval.Results;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// The markdown table printed while a run goes: one row per task metric, as lm-evaluation-harness prints it. Rows are
/// printed as each task finishes; a task answered entirely from the request cache shows "cached" for tok/s, one that
/// makes no model calls "—".
/// </summary>
public static class ResultsTable
{
    public static void Write(TextWriter output, IReadOnlyList<TaskResult> results)
    {
        WriteHeader(output);
        foreach (var r in results) WriteRows(output, r);
    }

    public static void WriteHeader(TextWriter output)
    {
        output.WriteLine("| model | task | metric | value | ± stderr | n | shots | wall s | tok/s |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
    }

    public static void WriteRows(TextWriter output, TaskResult r)
    {
        string shots = r.Task.Settings.TryGetValue("num_fewshot", out var k) ? k?.ToString() ?? "" : "";
        string speed = r.Timing.Requests == 0 ? "—" // no model calls (tokenizer compression)
            : r.Timing.RequestsComputed == 0 ? "cached"
            : r.Timing.TokensPerSecond.ToString("F0", CultureInfo.InvariantCulture);
        foreach (var (name, m) in r.Metrics)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Model.Name} | {r.Task.Name} | {name} | {m.Value:F4} | {(m.Stderr is double se ? se.ToString("F4", CultureInfo.InvariantCulture) : "")} | {m.N} | {shots} | {r.Timing.WallSeconds:F1} | {speed} |"));
        output.Flush();
    }
}
