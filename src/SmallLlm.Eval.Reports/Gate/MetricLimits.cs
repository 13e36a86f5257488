using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>The gate's absolute limits (<see cref="MetricLimit"/>) checked on current results: no baseline, no test, the bound decides.</summary>
public static class MetricLimits
{
    /// <summary>Each limit on every current result of its task; a limit whose task or metric the results lack cannot be checked.</summary>
    public static List<GateCheck> Check(ResultSet current, IReadOnlyList<MetricLimit> limits, List<string> problems)
    {
        var checks = new List<GateCheck>();
        foreach (var limit in limits)
        {
            var files = current.Files.Where(f => f.Task == limit.Task).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            if (files.Count == 0) { problems.Add($"limit {limit.Task}.{limit.Metric} {limit}: the current results have no {limit.Task} run"); continue; }
            foreach (var f in files)
            {
                if (!f.Metrics.TryGetValue(limit.Metric, out var m))
                {
                    problems.Add($"limit {limit.Task}.{limit.Metric} {limit}: {f.Path} has no metric {limit.Metric} (it has {string.Join(", ", f.Metrics.Keys.Order(StringComparer.Ordinal))})");
                    continue;
                }
                bool holds = limit.Holds(m.Value);
                string against = f.Setting("base_model") is string b ? $" (against base {b})" : "";
                string reason = !double.IsFinite(m.Value) ? $"the value is {ReportNumbers.Format(m.Value)}, not a number that can hold"
                    : holds ? $"{ReportNumbers.Format(m.Value)} {limit}{against}" : $"{ReportNumbers.Format(m.Value)} beyond the limit {limit}{against}";
                checks.Add(new GateCheck(f.Model, f.Task, limit.Metric, limit.Value, m.Value, limit.IsMax, Tolerance.Zero, 0, null, "limit", !holds, reason) { Limit = limit });
            }
        }
        return checks;
    }
}
