using System.Text.Json;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// The gate's significance level and tolerances, from the <c>check</c> section of eval.config.json:
/// <c>{"alpha": 0.05, "bootstrap_samples": 2000, "tolerances": {"mmlu.acc": "0.02", "arc_easy": "0.03", "*.word_perplexity": "5%", "*": "0"}}</c>.
/// A tolerance is looked up as task.metric, then task, then *.metric, then *; none means 0 (the test alone decides).
/// <c>"limits": {"kld.mean_kld": {"max": 0.02}, "kld.top1_agreement": {"min": 0.9}}</c> are absolute bounds (<see cref="MetricLimit"/>).
/// </summary>
public sealed record GateSettings
{
    public double Alpha { get; init; } = 0.05;
    public int BootstrapSamples { get; init; } = 2000;
    public int Seed { get; init; } = 1234;
    public IReadOnlyDictionary<string, Tolerance> Tolerances { get; init; } = new Dictionary<string, Tolerance>();
    public IReadOnlyList<MetricLimit> Limits { get; init; } = [];

    public Tolerance ToleranceFor(string task, string metric) =>
        Tolerances.GetValueOrDefault($"{task}.{metric}") ?? Tolerances.GetValueOrDefault(task)
        ?? Tolerances.GetValueOrDefault($"*.{metric}") ?? Tolerances.GetValueOrDefault("*") ?? Tolerance.Zero;

    /// <summary>Reads the "check" section of a config file; defaults when the file has none.</summary>
    public static GateSettings FromConfig(string configPath)
    {
        if (!File.Exists(configPath)) throw new FileNotFoundException($"config file '{configPath}' not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: {e.Message}"); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("check", out var check)) return new GateSettings();
            if (check.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: 'check' must be an object");
            var settings = new GateSettings();
            if (check.TryGetProperty("alpha", out var a))
                settings = settings with { Alpha = a.ValueKind == JsonValueKind.Number && a.GetDouble() is > 0 and < 1 ? a.GetDouble() : throw new InvalidDataException($"{configPath}: check.alpha must be a number between 0 and 1") };
            if (check.TryGetProperty("bootstrap_samples", out var b))
                settings = settings with { BootstrapSamples = b.ValueKind == JsonValueKind.Number && b.GetInt32() >= 100 ? b.GetInt32() : throw new InvalidDataException($"{configPath}: check.bootstrap_samples must be an integer >= 100") };
            if (check.TryGetProperty("tolerances", out var t))
            {
                if (t.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: check.tolerances must be an object of \"task.metric\": \"0.02\" or \"5%\"");
                var map = new Dictionary<string, Tolerance>(StringComparer.Ordinal);
                foreach (var p in t.EnumerateObject())
                {
                    string where = $"{configPath}: check.tolerances.{p.Name}";
                    map[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => Tolerance.Parse(p.Value.GetString()!, where),
                        JsonValueKind.Number => Tolerance.Parse(p.Value.GetRawText(), where),
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
