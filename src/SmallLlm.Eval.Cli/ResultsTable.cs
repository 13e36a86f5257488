using System.Globalization;
using SmallLlm.Eval.Results;

namespace SmallLlm.Eval.Cli;

/// <summary>The markdown table printed after a run: one row per task metric, as lm-evaluation-harness prints it.</summary>
public static class ResultsTable
{
    public static void Write(TextWriter output, IReadOnlyList<TaskResult> results)
    {
        output.WriteLine("| model | task | metric | value | ± stderr | n | shots | wall s | tok/s |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            foreach (var (name, m) in r.Metrics)
            {
                string shots = r.Task.Settings.TryGetValue("num_fewshot", out var k) ? k?.ToString() ?? "" : "";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Model.Name} | {r.Task.Name} | {name} | {m.Value:F4} | {(m.Stderr is double se ? se.ToString("F4", CultureInfo.InvariantCulture) : "")} | {m.N} | {shots} | {r.Timing.WallSeconds:F1} | {r.Timing.TokensPerSecond:F0} |"));
            }
    }
}
