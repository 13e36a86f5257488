using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// Compares current results with a baseline metric by metric. The runs must be comparable first (same tasks, task
/// versions, data hashes and settings); then each metric gets a tolerance and a significance test: McNemar's exact
/// test on per-document correctness when both runs scored the same documents, a paired bootstrap over documents for
/// perplexity-type metrics with per-document log-likelihoods, else a two-sample z-test from the standard errors.
/// Absolute limits (<see cref="GateSettings.Limits"/>) are checked on the current results, with or without a baseline.
/// </summary>
public static class QualityGate
{
    /// <summary>Only the limits of <paramref name="settings"/>: no baseline.</summary>
    public static GateResult CheckLimits(ResultSet current, GateSettings settings)
    {
        var problems = new List<string>();
        var checks = MetricLimits.Check(current, settings.Limits, problems);
        return new GateResult(problems.Count > 0 ? [] : checks, problems, current.Warnings.Select(w => "current: " + w).ToList(), settings.Alpha);
    }

    public static GateResult Compare(ResultSet baseline, ResultSet current, GateSettings settings)
    {
        var compared = CompareWithBaseline(baseline, current, settings);
        if (settings.Limits.Count == 0 || compared.Incomparable.Count > 0) return compared;
        var problems = new List<string>();
        var limits = MetricLimits.Check(current, settings.Limits, problems);
        return problems.Count > 0 ? compared with { Checks = [], Incomparable = problems } : compared with { Checks = [.. compared.Checks, .. limits] };
    }

    private static GateResult CompareWithBaseline(ResultSet baseline, ResultSet current, GateSettings settings)
    {
        var problems = new List<string>();
        var warnings = baseline.Warnings.Select(w => "baseline: " + w).Concat(current.Warnings.Select(w => "current: " + w)).ToList();
        foreach (var (name, set) in new[] { ("baseline", baseline), ("current", current) })
            foreach (var g in set.Files.GroupBy(f => f.Model).Where(g => g.Select(f => f.ModelDirectory).Distinct().Count() > 1))
                problems.Add($"the {name} results hold several models named {g.Key} ({string.Join(", ", g.Select(f => f.ModelId).Distinct())}): give one model's folder or run folder");
        if (problems.Count > 0) return new GateResult([], problems, warnings, settings.Alpha);
        var pairs = PairModels(baseline, current, problems);
        var checks = new List<GateCheck>();
        foreach (var (baseModel, curModel) in pairs)
        {
            var b = baseline.Files.Where(f => f.Model == baseModel).ToDictionary(f => f.Task);
            var c = current.Files.Where(f => f.Model == curModel).ToDictionary(f => f.Task);
            string who = pairs.Count > 1 ? $"{baseModel}: " : "";
            var onlyBase = b.Keys.Except(c.Keys).Order(StringComparer.Ordinal).ToList();
            var onlyCur = c.Keys.Except(b.Keys).Order(StringComparer.Ordinal).ToList();
            if (onlyBase.Count > 0) problems.Add($"{who}different tasks: the baseline has {string.Join(", ", onlyBase)}, the current results do not");
            if (onlyCur.Count > 0) problems.Add($"{who}different tasks: the current results have {string.Join(", ", onlyCur)}, the baseline does not");
            foreach (string task in b.Keys.Intersect(c.Keys).Order(StringComparer.Ordinal))
            {
                string? difference = Difference(b[task], c[task]);
                if (difference is not null) { problems.Add($"{who}{task}: {difference}"); continue; }
                var brokenBaseline = b[task].Metrics.Where(m => !double.IsFinite(m.Value.Value)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
                if (brokenBaseline.Count > 0) { problems.Add($"{who}{task}: the baseline's {string.Join(", ", brokenBaseline)} is not a number (NaN or infinite): nothing to compare against"); continue; }
                checks.AddRange(CheckTask(curModel, b[task], c[task], settings));
            }
        }
        return new GateResult(problems.Count > 0 ? [] : checks, problems, warnings, settings.Alpha);
    }

    /// <summary>One model each: compare them whatever their names (a new checkpoint against the released one); else by name.</summary>
    private static List<(string, string)> PairModels(ResultSet baseline, ResultSet current, List<string> problems)
    {
        var bm = baseline.Models.ToList();
        var cm = current.Models.ToList();
        if (bm.Count == 1 && cm.Count == 1) return [(bm[0], cm[0])];
        var missing = bm.Except(cm).ToList();
        var extra = cm.Except(bm).ToList();
        if (missing.Count > 0) problems.Add($"different models: the baseline has {string.Join(", ", missing)}, the current results do not");
        if (extra.Count > 0) problems.Add($"different models: the current results have {string.Join(", ", extra)}, the baseline does not");
        return bm.Intersect(cm).Select(m => (m, m)).ToList();
    }

    /// <summary>Why two runs of a task cannot be compared (<see cref="RunComparison"/>), or null when they can.</summary>
    public static string? Difference(ResultFile baseline, ResultFile current)
    {
        var parts = RunComparison.Differences(baseline, current).Select(d => d.What switch
        {
            "task version" => $"task version {d.A} vs {d.B}",
            "data" => $"data sha256 {RunComparison.Short(d.A!)}… vs {RunComparison.Short(d.B!)}…",
            _ => $"setting {d.What} {d.A ?? "unset"} vs {d.B ?? "unset"}",
        }).ToList();
        return parts.Count == 0 ? null : "different " + string.Join(", ", parts) + " (baseline vs current)";
    }

    private static IEnumerable<GateCheck> CheckTask(string model, ResultFile baseline, ResultFile current, GateSettings settings)
    {
        var baseSamples = SampleFileReader.TryRead(baseline.SamplesPath, out string? baseProblem);
        var curSamples = SampleFileReader.TryRead(current.SamplesPath, out string? curProblem);
        string? pairedProblem = baseProblem is not null ? "baseline " + baseProblem
            : curProblem is not null ? "current " + curProblem
            : !baseSamples!.Keys.ToHashSet().SetEquals(curSamples!.Keys) ? "the runs scored different documents" : null;
        foreach (var (metric, b) in baseline.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            // A metric the current run lost, or could not compute, is a failure: never "within tolerance".
            if (!current.Metrics.TryGetValue(metric, out var c))
            {
                var baseTolerance = settings.ToleranceFor(baseline.Task, metric);
                yield return new GateCheck(model, baseline.Task, metric, b.Value, double.NaN, MetricKinds.LowerIsBetter(metric, b.Declared is not null ? b : null),
                    baseTolerance, baseTolerance.AllowedDrop(b.Value), null, "none", true, "missing from the current results");
                continue;
            }
            var declared = b.Declared is not null ? b : c; // a schema-1 baseline takes the current run's declaration
            bool lower = MetricKinds.LowerIsBetter(metric, declared);
            var tolerance = settings.ToleranceFor(baseline.Task, metric);
            double allowed = tolerance.AllowedDrop(b.Value);
            if (!double.IsFinite(c.Value))
            {
                yield return new GateCheck(model, baseline.Task, metric, b.Value, c.Value, lower, tolerance, allowed, null, "none", true, $"the current value is {Fmt(c.Value)}, not a number that can hold");
                continue;
            }
            var (p, test) = Significance(metric, declared, b, c, pairedProblem is null ? baseSamples : null, pairedProblem is null ? curSamples : null, settings);
            if (pairedProblem is not null && test.StartsWith("z-test", StringComparison.Ordinal) && (MetricKinds.CorrectnessField(metric, declared) is not null || lower))
                test += $" ({pairedProblem})";
            double worse = lower ? c.Value - b.Value : b.Value - c.Value;
            bool beyond = worse > allowed;
            bool significant = p is null || p < settings.Alpha; // no test possible: the tolerance alone decides
            bool failed = beyond && significant;
            string reason = worse <= 0 ? (worse == 0 ? "unchanged" : "improved")
                : !beyond ? $"drop {Fmt(worse)} within tolerance {Fmt(allowed)}"
                : !significant ? $"drop {Fmt(worse)} beyond tolerance but not significant (p = {Fmt(p!.Value)} ≥ {Fmt(settings.Alpha)})"
                : p is null ? $"drop {Fmt(worse)} beyond tolerance {Fmt(allowed)} (no standard error or samples: untested)"
                : $"drop {Fmt(worse)} beyond tolerance {Fmt(allowed)} and significant (p = {Fmt(p.Value)} < {Fmt(settings.Alpha)})";
            yield return new GateCheck(model, baseline.Task, metric, b.Value, c.Value, lower, tolerance, allowed, p, test, failed, reason);
        }
    }

    private static (double? P, string Test) Significance(string metric, ResultMetric declared, ResultMetric b, ResultMetric c,
        Dictionary<string, SampleRecord>? baseSamples, Dictionary<string, SampleRecord>? curSamples, GateSettings settings)
    {
        if (baseSamples is not null && curSamples is not null && baseSamples.Count > 0)
        {
            if (MetricKinds.CorrectnessField(metric, declared) is string field && baseSamples.Values.All(s => s.Correct.ContainsKey(field)) && curSamples.Values.All(s => s.Correct.ContainsKey(field)))
            {
                int worse = 0, better = 0;
                foreach (var (id, bs) in baseSamples)
                {
                    bool was = bs.Correct[field], now = curSamples[id].Correct[field];
                    if (was && !now) worse++;
                    else if (!was && now) better++;
                }
                return (McNemarTest.PValue(worse, better), $"McNemar exact (b={worse}, c={better})");
            }
            if (MetricKinds.LowerIsBetter(metric, declared) && MetricKinds.UnitFieldsFor(metric, declared) is { } units && Paired(units, baseSamples, curSamples) is { } docs)
                return (PairedBootstrap.PValue(docs, settings.BootstrapSamples, settings.Seed), $"paired bootstrap ({docs.Count} docs, {settings.BootstrapSamples} resamples)");
        }
        var p = TwoSampleTest.PValue(b.Value, b.Stderr, c.Value, c.Stderr);
        return (p, p is null ? "none (no standard error)" : "z-test from standard errors");
    }

    /// <summary>Per-document log-likelihoods and unit counts of both runs, or null when a record lacks them.</summary>
    private static List<PairedBootstrap.Document>? Paired(string[] unitFields, Dictionary<string, SampleRecord> b, Dictionary<string, SampleRecord> c)
    {
        double? Units(SampleRecord r)
        {
            foreach (string f in unitFields) if (r.Units.TryGetValue(f, out double u) && u > 0) return u;
            return null;
        }
        var docs = new List<PairedBootstrap.Document>();
        foreach (var (id, bs) in b.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var cs = c[id];
            if (bs.LogLikelihood is not double lb || cs.LogLikelihood is not double lc || Units(bs) is not double ub || Units(cs) is not double uc) return null;
            docs.Add(new PairedBootstrap.Document(lb, lc, ub, uc));
        }
        return docs;
    }

    private static string Fmt(double v) => ReportNumbers.Format(v);
}
