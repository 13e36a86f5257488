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
        if (!settings.AllowNonFinite) checks.InsertRange(0, current.Files.Select(NonFiniteCheck).OfType<GateCheck>());
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
        var pending = new List<Pending>();
        foreach (var (baseModel, curModel) in pairs)
        {
            var b = baseline.Files.Where(f => f.Model == baseModel).ToDictionary(f => f.Task);
            var c = current.Files.Where(f => f.Model == curModel).ToDictionary(f => f.Task);
            string who = pairs.Count > 1 ? $"{baseModel}: " : "";
            var tasks = SharedTasks(b.Keys, c.Keys, settings.Tasks, who, problems, warnings);
            foreach (string task in tasks)
            {
                string? difference = Difference(b[task], c[task]);
                if (difference is not null) { problems.Add($"{who}{task}: {difference}"); continue; }
                var brokenBaseline = b[task].Metrics.Where(m => !double.IsFinite(m.Value.Value)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
                if (brokenBaseline.Count > 0) { problems.Add($"{who}{task}: the baseline's {string.Join(", ", brokenBaseline)} is not a number (NaN or infinite): nothing to compare against"); continue; }
                if (!settings.AllowNonFinite && NonFinite(b[task]) is long n)
                {
                    problems.Add($"{who}{task}: the baseline recorded {n} non-finite score(s) (--allow-nonfinite): nothing trustworthy to compare against; check --allow-nonfinite compares it anyway");
                    continue;
                }
                if (!settings.AllowNonFinite && NonFiniteCheck(c[task]) is { } untrusted) pending.Add(new Pending(untrusted, true));
                pending.AddRange(CheckTask(curModel, b[task], c[task], settings));
            }
        }
        return new GateResult(problems.Count > 0 ? [] : Decide(pending, settings.Alpha), problems, warnings, settings.Alpha);
    }

    /// <summary>The tasks to gate: --tasks (each must be on both sides), else those both sides ran, with a warning naming the rest.</summary>
    private static List<string> SharedTasks(IEnumerable<string> baseline, IEnumerable<string> current, IReadOnlyList<string>? listed, string who,
        List<string> problems, List<string> warnings)
    {
        var b = baseline.ToHashSet(StringComparer.Ordinal);
        var c = current.ToHashSet(StringComparer.Ordinal);
        if (listed is not null)
        {
            foreach (string t in listed.Where(t => !b.Contains(t) || !c.Contains(t)))
                problems.Add($"{who}--tasks {t}: {(b.Contains(t) ? "the current results have" : c.Contains(t) ? "the baseline has" : "neither side has")} no {t} run");
            return listed.Where(t => b.Contains(t) && c.Contains(t)).Distinct().Order(StringComparer.Ordinal).ToList();
        }
        var shared = b.Intersect(c).Order(StringComparer.Ordinal).ToList();
        var onlyBase = b.Except(c).Order(StringComparer.Ordinal).ToList();
        var onlyCur = c.Except(b).Order(StringComparer.Ordinal).ToList();
        if (shared.Count == 0)
        {
            problems.Add($"{who}no task in common: the baseline has {string.Join(", ", onlyBase)}, the current results have {string.Join(", ", onlyCur)}");
            return shared;
        }
        if (onlyBase.Count > 0) warnings.Add($"{who}not gated: only the baseline has {string.Join(", ", onlyBase)} (--tasks names the tasks to gate)");
        if (onlyCur.Count > 0) warnings.Add($"{who}not gated: only the current results have {string.Join(", ", onlyCur)} (--tasks names the tasks to gate)");
        return shared;
    }

    private static long? NonFinite(ResultFile file) => file.Counts.TryGetValue("nonfinite_scores", out long n) && n > 0 ? n : null;

    /// <summary>A failed check for a run recorded with --allow-nonfinite: its metrics were computed over NaN or infinite scores.</summary>
    private static GateCheck? NonFiniteCheck(ResultFile current) => NonFinite(current) is long n
        ? new GateCheck(current.Model, current.Task, "nonfinite_scores", 0, n, true, Tolerance.Zero, 0, null, "none", true,
            $"{n} request(s) got NaN or infinite scores (recorded with --allow-nonfinite): the run's metrics are not trustworthy; check --allow-nonfinite gates it anyway")
        : null;

    /// <summary>A check before the verdict: final ones (missing, non-finite) are decided already; the rest by Holm-adjusted p.</summary>
    private sealed class Pending(GateCheck check, bool final, double worse = 0)
    {
        public GateCheck Check => check;
        public bool Final => final;
        public double Worse => worse;
    }

    /// <summary>Holm's correction across every tested metric of the run, then each verdict: beyond tolerance and significant after correction.</summary>
    private static List<GateCheck> Decide(List<Pending> pending, double alpha)
    {
        var tested = pending.Where(p => !p.Final && p.Check.PValue is not null).ToList();
        var adjusted = HolmCorrection.Adjust(tested.Select(p => p.Check.PValue!.Value).ToList());
        var byCheck = tested.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => adjusted[x.i]);
        var result = new List<GateCheck>();
        foreach (var p in pending)
        {
            if (p.Final) { result.Add(p.Check); continue; }
            var c = p.Check;
            double? adj = byCheck.TryGetValue(p, out double a) ? a : null;
            bool beyond = p.Worse > c.AllowedDrop;
            bool significant = adj is null || adj < alpha; // no test possible: the tolerance alone decides
            string reason = p.Worse <= 0 ? (p.Worse == 0 ? "unchanged" : "improved")
                : !beyond ? $"drop {Fmt(p.Worse)} within tolerance {Fmt(c.AllowedDrop)}"
                : !significant ? $"drop {Fmt(p.Worse)} beyond tolerance but not significant (Holm p = {Fmt(adj!.Value)} ≥ {Fmt(alpha)})"
                : adj is null ? $"drop {Fmt(p.Worse)} beyond tolerance {Fmt(c.AllowedDrop)} (no standard error or samples: untested)"
                : $"drop {Fmt(p.Worse)} beyond tolerance {Fmt(c.AllowedDrop)} and significant (Holm p = {Fmt(adj.Value)} < {Fmt(alpha)})";
            result.Add(c with { Failed = beyond && significant, Reason = reason, AdjustedPValue = adj });
        }
        return result;
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

    private static IEnumerable<Pending> CheckTask(string model, ResultFile baseline, ResultFile current, GateSettings settings)
    {
        var baseSamples = SampleFileReader.TryRead(baseline.SamplesPath, out string? baseProblem);
        var curSamples = SampleFileReader.TryRead(current.SamplesPath, out string? curProblem);
        string? pairedProblem = baseProblem is not null ? "baseline " + baseProblem
            : curProblem is not null ? "current " + curProblem
            : !baseSamples!.Keys.ToHashSet().SetEquals(curSamples!.Keys) ? "the runs scored different documents" : null;
        // The headline as declared: a schema-1 baseline declares none, so the current run's declaration names it.
        string headline = MetricKinds.Headline(baseline.Metrics.Values.Any(m => m.Declared is not null) ? baseline.Metrics : current.Metrics);
        foreach (var (metric, b) in baseline.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!settings.AllMetrics && metric != headline) continue;
            bool proportion = MetricKinds.IsProportion(metric, b.Declared is not null ? b : null);
            // A metric the current run lost, or could not compute, is a failure: never "within tolerance".
            if (!current.Metrics.TryGetValue(metric, out var c))
            {
                var baseTolerance = ToleranceRule.For(settings, baseline.Task, metric, b, proportion);
                yield return new Pending(new GateCheck(model, baseline.Task, metric, b.Value, double.NaN, MetricKinds.LowerIsBetter(metric, b.Declared is not null ? b : null),
                    baseTolerance.Tolerance, baseTolerance.AllowedDrop, null, "none", true, "missing from the current results") { ToleranceOrigin = baseTolerance.Origin }, true);
                continue;
            }
            var declared = b.Declared is not null ? b : c; // a schema-1 baseline takes the current run's declaration
            bool lower = MetricKinds.LowerIsBetter(metric, declared);
            var tolerance = ToleranceRule.For(settings, baseline.Task, metric, declared == b ? b : b with { Declared = c.Declared }, MetricKinds.IsProportion(metric, declared));
            if (!double.IsFinite(c.Value))
            {
                yield return new Pending(new GateCheck(model, baseline.Task, metric, b.Value, c.Value, lower, tolerance.Tolerance, tolerance.AllowedDrop, null, "none", true,
                    $"the current value is {Fmt(c.Value)}, not a number that can hold") { ToleranceOrigin = tolerance.Origin }, true);
                continue;
            }
            var pairedBase = pairedProblem is null ? baseSamples : null;
            var pairedCur = pairedProblem is null ? curSamples : null;
            var (p, test) = Significance(metric, declared, b, c, pairedBase, pairedCur, settings);
            if (pairedProblem is not null && test.StartsWith("z-test", StringComparison.Ordinal) && (MetricKinds.CorrectnessField(metric, declared) is not null || lower))
                test += $" ({pairedProblem})";
            double worse = lower ? c.Value - b.Value : b.Value - c.Value;
            double? baseSe = b.Stderr ?? LogLikelihoodStandardError.Of(metric, declared == b ? b : b with { Declared = c.Declared }, baseSamples);
            double? curSe = c.Stderr ?? LogLikelihoodStandardError.Of(metric, declared == c ? c : c with { Declared = b.Declared }, curSamples);
            yield return new Pending(new GateCheck(model, baseline.Task, metric, b.Value, c.Value, lower, tolerance.Tolerance, tolerance.AllowedDrop, p, test, false, "")
            {
                ToleranceOrigin = tolerance.Origin,
                DetectableDrop = DetectableDifference.At(settings.Alpha, baseSe, curSe),
            }, false, worse);
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
                return (PairedBootstrap.PValue(docs, settings.BootstrapSamples, settings.Seed, Math.Log(1 + settings.RelativeFloor)),
                    $"paired bootstrap ({docs.Count} docs, {settings.BootstrapSamples} resamples, differences within the floor tied)");
        }
        var p = TwoSampleTest.PValue(b.Value, b.Stderr, c.Value, c.Stderr);
        return (p, p is null ? "none (no standard error)" : "z-test from standard errors");
    }

    /// <summary>Per-document log-likelihoods and unit counts of both runs, or null when a record lacks them.</summary>
    private static List<PairedBootstrap.Document>? Paired(string[] unitFields, Dictionary<string, SampleRecord> b, Dictionary<string, SampleRecord> c)
    {
        var bd = LogLikelihoodStandardError.Documents(b.Values, unitFields);
        var cd = LogLikelihoodStandardError.Documents(b.Keys.Select(id => c[id]), unitFields);
        return bd is null || cd is null ? null : bd.Zip(cd, (x, y) => new PairedBootstrap.Document(x.LogLikelihood, y.LogLikelihood, x.Units, y.Units)).ToList();
    }

    private static string Fmt(double v) => ReportNumbers.Format(v);
}
