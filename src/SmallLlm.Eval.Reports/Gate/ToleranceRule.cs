using System.Globalization;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// The drop a metric may take before it can fail, and where that figure came from. The configured tolerance applies
/// as written, except that a tolerance given under the family key <c>log_likelihood</c> is a perplexity ratio ("2%":
/// perplexity may rise 2%, nll ln 1.02 nats, bits per byte log2 1.02 bits; an absolute value is nats per unit), so
/// metrics that are transformations of one another fail together. No continuous metric's tolerance is below the
/// relative floor (<see cref="GateSettings.RelativeFloor"/>, applied on the same perplexity-ratio terms); proportions
/// move in steps of 1/n and need none.
/// </summary>
public static class ToleranceRule
{
    public const string FamilyKey = "log_likelihood";

    public sealed record Resolved(Tolerance Tolerance, double AllowedDrop, string Origin);

    public static Resolved For(GateSettings settings, string task, string metric, ResultMetric baseline, bool isProportion)
    {
        var scale = LogLikelihoodScales.Of(metric, baseline);
        var configured = settings.ToleranceFor(task, metric, scale != LogLikelihoodScale.None);
        var tolerance = configured?.Tolerance ?? Tolerance.Zero;
        string origin = configured is { } c ? $"{c.Key} in {c.Tolerance.Origin}" : Tolerance.Zero.Origin;
        double allowed = configured is { Key: var key } && scale != LogLikelihoodScale.None && key.EndsWith("." + FamilyKey, StringComparison.Ordinal)
            ? LogLikelihoodScales.AllowedRise(scale, tolerance.Relative ? tolerance.Value : Math.Exp(tolerance.Value) - 1, baseline.Value)
            : tolerance.AllowedDrop(baseline.Value);
        if (isProportion || settings.RelativeFloor <= 0) return new Resolved(tolerance, allowed, origin);
        double floor = scale == LogLikelihoodScale.None ? Math.Abs(baseline.Value) * settings.RelativeFloor
            : LogLikelihoodScales.AllowedRise(scale, settings.RelativeFloor, baseline.Value);
        return floor > allowed
            ? new Resolved(new Tolerance(settings.RelativeFloor, true) { Origin = "floor" }, floor,
                $"floor {settings.RelativeFloor.ToString("0.###e+0", CultureInfo.InvariantCulture)} relative (configured {tolerance}: {origin})")
            : new Resolved(tolerance, allowed, origin);
    }
}
