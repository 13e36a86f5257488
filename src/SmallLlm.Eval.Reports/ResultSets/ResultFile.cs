namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// What the reports need of one results file (<c>&lt;output&gt;/&lt;model&gt;/&lt;task&gt;.json</c>). Read by
/// <see cref="ResultFileReader"/> from the JSON alone: the reports never load the harness or the engine.
/// </summary>
public sealed record ResultFile
{
    public required string Path { get; init; }
    public required int SchemaVersion { get; init; }
    public required string Task { get; init; }
    public required string TaskVersion { get; init; }
    public required string DataSha256 { get; init; }
    /// <summary>Task settings as their JSON text (5, "test", true), so two runs compare key by key.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public required string Model { get; init; }
    public required string ModelPath { get; init; }
    public required string WeightsSha256 { get; init; }
    public required string DType { get; init; }
    public required long Parameters { get; init; }
    public required string Tokenizer { get; init; }
    public required string HarnessVersion { get; init; }
    public required IReadOnlyDictionary<string, ResultMetric> Metrics { get; init; }
    /// <summary>breakdown[kind][group]: MMLU's "category" and "subject".</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, ResultMetric>> Breakdown { get; init; }
    /// <summary>Documents per number of shots their prompt actually had (schema 2, few-shot tasks), e.g. {"5": 560, "3": 10}.</summary>
    public IReadOnlyDictionary<string, long>? ShotsHistogram { get; init; }
    /// <summary>Full path of the per-sample records, or null when the file names none.</summary>
    public string? SamplesPath { get; init; }

    public string? Setting(string key) => Settings.TryGetValue(key, out var v) ? v : null;

    /// <summary>num_fewshot, limit and every other setting, in key order: equal strings mean comparable task runs.</summary>
    public string SettingsSignature => string.Join(", ", Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
}
