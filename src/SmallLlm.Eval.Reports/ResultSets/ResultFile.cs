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
    /// <summary>The folder the model's runs are filed under (<c>stories260K-fp32-3f9a1c2e</c>): name, dtype and a hash of weights, tokenizer and backend.</summary>
    public string ModelId { get; init; } = "";
    /// <summary>The run folder's name (its UTC start time), or "" for results in the older flat layout.</summary>
    public string RunId { get; init; } = "";
    /// <summary>Full path of the folder that holds the model's runs: two rows of a leaderboard never share one.</summary>
    public string ModelDirectory { get; init; } = "";
    public required string ModelPath { get; init; }
    public required string WeightsSha256 { get; init; }
    public required string DType { get; init; }
    public required long Parameters { get; init; }
    public required string Tokenizer { get; init; }
    public required string HarnessVersion { get; init; }
    public required IReadOnlyDictionary<string, ResultMetric> Metrics { get; init; }
    /// <summary>breakdown[kind][group]: MMLU's "category" and "subject".</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, ResultMetric>> Breakdown { get; init; }
    /// <summary>The model's vocabulary size, when the results file records it (older files do not).</summary>
    public int? VocabSize { get; init; }
    /// <summary>The numeric entries of the file's "counts": documents, requests, shots_dropped, truncated_prompts, ...</summary>
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();
    /// <summary>Documents per number of shots their prompt actually had (schema 2, few-shot tasks), e.g. {"5": 560, "3": 10}.</summary>
    public IReadOnlyDictionary<string, long>? ShotsHistogram { get; init; }
    /// <summary>Full path of the per-sample records, or null when the file names none.</summary>
    public string? SamplesPath { get; init; }

    public string? Setting(string key) => Settings.TryGetValue(key, out var v) ? v : null;
}
