namespace SmallLlm.Eval.Tasks;

/// <summary>Run-time choices for one task run. Nulls mean "the task definition's default".</summary>
public sealed record TaskSettings
{
    public int? NumFewshot { get; init; }
    /// <summary>At most this many documents (per subject for grouped tasks such as MMLU).</summary>
    public int? Limit { get; init; }
    public ulong Seed { get; init; } = 1234;
    /// <summary>Malformed data rows fail the run instead of being skipped with a warning.</summary>
    public bool Strict { get; init; }
    /// <summary>Read the task's data from here instead of its bundled folder.</summary>
    public string? DataDir { get; init; }
    /// <summary>Task-specific options (e.g. "subjects" for MMLU).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Consent to run model-written code: from the command line's flags only, so never written to a file
    /// (a shard manifest does not carry it; merge takes the flags itself).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ExecutionPolicy Execution { get; init; } = ExecutionPolicy.None;
    /// <summary>Prompts through the model's chat template (--apply-chat-template); null: plain prompts.</summary>
    [System.Text.Json.Serialization.JsonIgnore] // shard manifests refuse it (ShardRun); the results record its settings
    public Kit.ChatPromptSettings? Chat { get; init; }
}
