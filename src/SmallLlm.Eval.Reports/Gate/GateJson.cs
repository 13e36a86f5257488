using System.Text.Json;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>The gate's verdict as JSON for scripts: exit code, every check, and why the inputs could not be compared.</summary>
public static class GateJson
{
    private static JsonSerializerOptions Options => ReportJson.Options;

    public static string Render(GateResult result) => JsonSerializer.Serialize(new
    {
        exit_code = result.ExitCode,
        verdict = result.ExitCode switch { GateResult.Holds => "holds", GateResult.Regressed => "regression", _ => "not comparable" },
        alpha = result.Alpha,
        passed = result.Passed,
        failed = result.Failed,
        incomparable = result.Incomparable,
        warnings = result.Warnings,
        checks = result.Checks.Select(c => new
        {
            model = c.Model, task = c.Task, metric = c.Metric, baseline = c.Baseline, current = c.Current, delta = c.Delta,
            lower_is_better = c.LowerIsBetter, tolerance = c.Tolerance.ToString(), allowed_drop = c.AllowedDrop,
            tolerance_origin = c.ToleranceOrigin, p_value = c.PValue, holm_p_value = c.AdjustedPValue, detectable_drop = c.DetectableDrop, test = c.Test, failed = c.Failed, reason = c.Reason,
            limit = c.Limit is { } l ? new { bound = l.IsMax ? "max" : "min", value = l.Value } : null,
        }),
    }, Options) + "\n";
}
