using System.Text;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>The gate's report: a table of checks (or why nothing could be compared) and the closing "N passed, N failed".</summary>
public static class GateText
{
    public static string Render(GateResult result)
    {
        var sb = new StringBuilder();
        foreach (string w in result.Warnings) sb.Append("warning: ").Append(w).Append('\n');
        if (result.Incomparable.Count > 0)
        {
            sb.Append("cannot compare the current results with the baseline:\n");
            foreach (string p in result.Incomparable) sb.Append("  - ").Append(p).Append('\n');
            sb.Append("0 passed, 0 failed (inputs not comparable)\n");
            return sb.ToString();
        }
        sb.Append("| task | metric | baseline | current | delta | tolerance | p-value | test | verdict |\n");
        sb.Append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        foreach (var c in result.Checks)
        {
            string delta = c.Limit is not null ? "" : (c.Delta >= 0 ? "+" : "") + ReportNumbers.Format(c.Delta) + (c.LowerIsBetter ? " (↓ better)" : "");
            string baseline = c.Limit is { } limit ? "limit " + limit : ReportNumbers.Format(c.Baseline);
            sb.Append($"| {c.Task} | {c.Metric} | {baseline} | {ReportNumbers.Format(c.Current)} | {delta} | {(c.Limit is null ? c.Tolerance : "")} | ")
              .Append(c.PValue is double p ? ReportNumbers.Format(p) : "n/a").Append($" | {c.Test} | {(c.Failed ? "FAIL" : "pass")}: {c.Reason} |\n");
        }
        sb.Append($"\nsignificance level {ReportNumbers.Format(result.Alpha)}; a check fails only when the drop is beyond its tolerance and significant")
          .Append(result.Checks.Any(c => c.Limit is not null) ? ", a limit when the value is beyond it.\n" : ".\n");
        sb.Append($"{result.Passed} passed, {result.Failed} failed\n");
        return sb.ToString();
    }
}
