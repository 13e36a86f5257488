using System.Text;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// The gate's report: a table of checks (or why nothing could be compared), where each tolerance came from, and the
/// closing "N passed, N failed". The p-value column is the raw test; the verdict uses the Holm-corrected one beside it.
/// </summary>
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
        sb.Append("| model | task | metric | baseline | current | delta | tolerance | p-value | Holm p | detectable drop | test | verdict |\n");
        sb.Append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        foreach (var c in result.Checks)
        {
            string delta = c.Limit is not null ? "" : (c.Delta >= 0 ? "+" : "") + ReportNumbers.Format(c.Delta) + (c.LowerIsBetter ? " (↓ better)" : "");
            string baseline = c.Limit is { } limit ? "limit " + limit : ReportNumbers.Format(c.Baseline);
            string tolerance = c.Limit is not null ? "" : c.Tolerance.Relative ? $"{c.Tolerance} ({ReportNumbers.Format(c.AllowedDrop)})" : c.Tolerance.ToString();
            sb.Append($"| {c.Model} | {c.Task} | {c.Metric} | {baseline} | {ReportNumbers.Format(c.Current)} | {delta} | {tolerance} | ")
              .Append(Optional(c.PValue)).Append(" | ").Append(Optional(c.AdjustedPValue)).Append(" | ").Append(Optional(c.DetectableDrop))
              .Append($" | {c.Test} | {(c.Failed ? "FAIL" : "pass")}: {c.Reason} |\n");
        }
        var origins = result.Checks.Where(c => c.Limit is null && c.ToleranceOrigin.Length > 0).ToList();
        if (origins.Count > 0)
        {
            sb.Append("\ntolerances:\n");
            foreach (var c in origins) sb.Append($"  {c.Task}.{c.Metric}: {c.Tolerance}, from {c.ToleranceOrigin}\n");
        }
        sb.Append($"\nsignificance level {ReportNumbers.Format(result.Alpha)}, Holm-corrected across the {result.Checks.Count(c => c.AdjustedPValue is not null)} tested metric(s); ")
          .Append("a check fails only when the drop is beyond its tolerance and significant")
          .Append(result.Checks.Any(c => c.Limit is not null) ? ", a limit when the value is beyond it" : "")
          .Append($". Detectable drop: what a test sees with {DetectableDifference.Power:P0} power at this n.\n");
        sb.Append($"{result.Passed} passed, {result.Failed} failed\n");
        return sb.ToString();
    }

    private static string Optional(double? v) => v is double d ? ReportNumbers.Format(d) : "n/a";
}
