using SmallLlm.Eval.Reports.ResultSets;
using System.Text.Json;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// The gate's significance level and tolerances, from the <c>check</c> section of eval.config.json:
/// <c>{"alpha": 0.05, "bootstrap_samples": 2000, "tolerances": {"mmlu.acc": "0.02", "arc_easy": "0.03", "*.word_perplexity": "5%", "*": "0"}}</c>.
/// A tolerance is looked up as task.metric, then task, then *.metric, then *; none means 0 (the test alone decides).
/// Metrics computed from the corpus log-likelihood (perplexities, nll, bits per byte) also match the family key
/// <c>log_likelihood</c> (<c>task.log_likelihood</c> before <c>task</c>, <c>*.log_likelihood</c> before <c>*</c>), so
/// metrics that are transformations of one another share one tolerance (<see cref="ToleranceRule"/>).
/// Every continuous metric's tolerance is at least <see cref="RelativeFloor"/> (<c>"floor": 1e-4</c>).
/// <c>"limits": {"kld.mean_kld": {"max": 0.02}, "kld.top1_agreement": {"min": 0.9}}</c> are absolute bounds (<see cref="MetricLimit"/>).
/// </summary>
public sealed record GateSettings
{
    public double Alpha { get; init; } = 0.05;
    public int BootstrapSamples { get; init; } = 2000;
    public int Seed { get; init; } = 1234;
    public IReadOnlyDictionary<string, Tolerance> Tolerances { get; init; } = new Dictionary<string, Tolerance>();
    public IReadOnlyList<MetricLimit> Limits { get; init; } = [];

    /// <summary>
    /// The least relative change of a continuous metric that can fail (1e-4: float noise across engines, machines and
    /// BLAS libraries is ~1e-7); per-document differences below it are ties in the paired test.
    /// </summary>
    public double RelativeFloor { get; init; } = DefaultFloor;
    public const double DefaultFloor = MetricKinds.NoiseFloor;

    /// <summary>Gate every metric of a task, not only its headline (--all-metrics).</summary>
    public bool AllMetrics { get; init; }

    /// <summary>Gate these tasks only (--tasks); each must be in both results. Null: the tasks both sides ran.</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    /// <summary>Gate runs recorded with non-finite scores (--allow-nonfinite) instead of failing them.</summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>Where the tolerances were read: "bundled config PATH", "config PATH", or "built-in defaults".</summary>
    public string Origin { get; init; } = "built-in defaults";

    /// <summary>The configured tolerance of a metric and the key it matched ("mmlu.acc", "*.log_likelihood", "*"), or null when none matches.</summary>
    public (Tolerance Tolerance, string Key)? ToleranceFor(string task, string metric, bool logLikelihoodFamily)
    {
        string[] keys = logLikelihoodFamily
            ? [$"{task}.{metric}", $"{task}.{ToleranceRule.FamilyKey}", task, $"*.{metric}", $"*.{ToleranceRule.FamilyKey}", "*"]
            : [$"{task}.{metric}", task, $"*.{metric}", "*"];
        foreach (string key in keys)
            if (Tolerances.TryGetValue(key, out var t)) return (t, key);
        return null;
    }

    /// <summary>Reads the "check" section of a config file; defaults when the file has none. <paramref name="origin"/> names the file in reports ("bundled config PATH").</summary>
    public static GateSettings FromConfig(string configPath, string? origin = null)
    {
        origin ??= "config " + configPath;
        if (!File.Exists(configPath)) throw new FileNotFoundException($"config file '{configPath}' not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: {e.Message}"); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("check", out var check)) return new GateSettings { Origin = origin };
            if (check.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: 'check' must be an object");
            var settings = new GateSettings { Origin = origin };
            if (check.TryGetProperty("alpha", out var a))
                settings = settings with { Alpha = a.ValueKind == JsonValueKind.Number && a.GetDouble() is > 0 and < 1 ? a.GetDouble() : throw new InvalidDataException($"{configPath}: check.alpha must be a number between 0 and 1") };
            if (check.TryGetProperty("bootstrap_samples", out var b))
                settings = settings with { BootstrapSamples = b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out int n) && n >= 100 ? n : throw new InvalidDataException($"{configPath}: check.bootstrap_samples must be an integer >= 100") };
            if (check.TryGetProperty("floor", out var f))
                settings = settings with { RelativeFloor = f.ValueKind == JsonValueKind.Number && f.GetDouble() is >= 0 and < 1 ? f.GetDouble() : throw new InvalidDataException($"{configPath}: check.floor must be a relative tolerance between 0 and 1 (e.g. 1e-4)") };
            if (check.TryGetProperty("tolerances", out var t))
            {
                if (t.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: check.tolerances must be an object of \"task.metric\": \"0.02\" or \"5%\"");
                var map = new Dictionary<string, Tolerance>(StringComparer.Ordinal);
                foreach (var p in t.EnumerateObject())
                {
                    string where = $"{configPath}: check.tolerances.{p.Name}";
                    map[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => Tolerance.Parse(p.Value.GetString()!, where, origin),
                        JsonValueKind.Number => Tolerance.Parse(p.Value.GetRawText(), where, origin),
                        _ => throw new InvalidDataException($"{where}: expected \"0.02\" or \"5%\""),
                    };
                }
                settings = settings with { Tolerances = map };
            }
            if (check.TryGetProperty("limits", out var l)) settings = settings with { Limits = ReadLimits(l, configPath) };
            return settings;
        }
    }

    private static List<MetricLimit> ReadLimits(JsonElement limits, string configPath)
    {
        const string Shape = "check.limits must be an object of \"task.metric\": {\"max\": 0.02} or {\"min\": 0.9}";
        if (limits.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: {Shape}");
        var result = new List<MetricLimit>();
        foreach (var p in limits.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: check.limits.{p.Name}: {Shape}");
            foreach (var bound in p.Value.EnumerateObject())
            {
                string where = $"{configPath}: check.limits.{p.Name}.{bound.Name}";
                if (bound.Name is not ("max" or "min") || bound.Value.ValueKind != JsonValueKind.Number)
                    throw new InvalidDataException($"{where}: expected \"max\" or \"min\" with a number");
                try { result.Add(MetricLimit.Parse($"{p.Name}={bound.Value.GetRawText()}", bound.Name == "max", where)); }
                catch (ArgumentException e) { throw new InvalidDataException(e.Message); }
            }
        }
        return result;
    }
}
