using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>The gate's report: a table of checks (or why nothing could be compared) and the closing "N passed, N failed".</summary>
public static class GateText
{
    public static string Number(double v) => double.IsNaN(v) ? "NaN"
        : v != 0 && Math.Abs(v) < 0.0001 ? v.ToString("0.##E+0", CultureInfo.InvariantCulture)
        : v.ToString(Math.Abs(v) >= 100 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);

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
            string delta = (c.Delta >= 0 ? "+" : "") + Number(c.Delta) + (c.LowerIsBetter ? " (↓ better)" : "");
            sb.Append($"| {c.Task} | {c.Metric} | {Number(c.Baseline)} | {Number(c.Current)} | {delta} | {c.Tolerance} | ")
              .Append(c.PValue is double p ? Number(p) : "n/a").Append($" | {c.Test} | {(c.Failed ? "FAIL" : "pass")}: {c.Reason} |\n");
        }
        sb.Append($"\nsignificance level {Number(result.Alpha)}; a check fails only when the drop is beyond its tolerance and significant.\n");
        sb.Append($"{result.Passed} passed, {result.Failed} failed\n");
        return sb.ToString();
    }
}
