using System.Text.Json.Serialization;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Results;

/// <summary>
/// The results file of one (model, task, settings) run: <c>&lt;output&gt;/&lt;model&gt;/&lt;task&gt;.json</c>. Everything
/// but <see cref="Timing"/> is deterministic: the same command gives the same file. Schema in README ("Results").
/// </summary>
public sealed record TaskResult
{
    /// <summary>2: metric declarations (direction, aggregation, proportion, sample field, headline) and shots histogram.</summary>
    public const int CurrentSchemaVersion = 2;

    [JsonPropertyName("schema_version")] public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    [JsonPropertyName("task")] public required TaskInfo Task { get; init; }
    [JsonPropertyName("model")] public required ModelInfo Model { get; init; }
    [JsonPropertyName("harness")] public required HarnessInfo Harness { get; init; }
    [JsonPropertyName("seed")] public ulong Seed { get; init; }
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, MetricValue> Metrics { get; init; }
    [JsonPropertyName("metric_declarations")] public IReadOnlyDictionary<string, MetricDeclaration> MetricDeclarations { get; init; } = new Dictionary<string, MetricDeclaration>();
    [JsonPropertyName("breakdown")] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricValue>> Breakdown { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, MetricValue>>();
    [JsonPropertyName("counts")] public required IReadOnlyDictionary<string, long> Counts { get; init; }
    /// <summary>Few-shot tasks: documents per number of shots their prompt actually had, e.g. {"5": 560, "3": 10}.</summary>
    [JsonPropertyName("shots_histogram")] public IReadOnlyDictionary<string, long>? ShotsHistogram { get; init; }
    [JsonPropertyName("warnings")] public IReadOnlyList<string> Warnings { get; init; } = [];
    [JsonPropertyName("samples_file")] public required string SamplesFile { get; init; }
    [JsonPropertyName("timing")] public required TimingInfo Timing { get; init; }
    /// <summary>Where it ran: the CPU, its features, threads, and how the dtype was chosen (absent in older files).</summary>
    [JsonPropertyName("machine")] public MachineInfo? Machine { get; init; }
}

public sealed record MachineInfo(
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("cpu_flags")] IReadOnlyList<string> CpuFlags,
    [property: JsonPropertyName("native_bf16")] bool NativeBf16,
    [property: JsonPropertyName("cores_available")] int CoresAvailable,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("omp_wait_policy")] string OmpWaitPolicy,
    [property: JsonPropertyName("dtype_requested")] string? DTypeRequested,
    [property: JsonPropertyName("dtype_reason")] string? DTypeReason);

public sealed record TaskInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("data_sha256")] string DataSha256,
    [property: JsonPropertyName("settings")] IReadOnlyDictionary<string, object?> Settings);

public sealed record ModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("weights_sha256")] string WeightsSha256,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("context_length")] int ContextLength,
    [property: JsonPropertyName("tokenizer")] string Tokenizer,
    [property: JsonPropertyName("add_bos")] bool AddBos,
    [property: JsonPropertyName("rolling_stride")] int? RollingStride = null,
    [property: JsonPropertyName("backend")] string Backend = "torch",
    [property: JsonPropertyName("backend_settings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BackendSettings = null,
    [property: JsonPropertyName("vocab_size")] int? VocabSize = null);

public sealed record HarnessInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("git_commit")] string? GitCommit);

/// <summary>The only part of a result that changes between identical runs.</summary>
public sealed record TimingInfo(
    [property: JsonPropertyName("started_utc")] DateTime StartedUtc,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("model_seconds")] double ModelSeconds,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("requests_computed")] int RequestsComputed,
    [property: JsonPropertyName("requests_reused")] int RequestsReused);
