using System.Text.Json;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// A question (already phrased as a prompt stem), its choices and the index of the right one. <see cref="Choices"/> are
/// lm-evaluation-harness's doc_to_choice: continuations scored after the prompt, or, for partial evaluation
/// (<see cref="Continuation"/> set, WinoGrande), the contexts after which the shared continuation is scored.
/// </summary>
public sealed record MultipleChoiceDocument(int Index, string Query, IReadOnlyList<string> Choices, int Gold, string Source)
{
    /// <summary>Fields a context template may name ({query}, {passage}, ...); at least "query".</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string> { ["query"] = Query };

    /// <summary>Partial evaluation: the continuation scored after each choice (the choices are contexts).</summary>
    public string? Continuation { get; init; }

    /// <summary>The record as read from the data file (lm-eval tells documents apart by their fields: <c>x != doc</c>).</summary>
    public JsonElement Record { get; init; }

    /// <summary>
    /// lm-eval's <c>x == doc</c>: Python's dict equality of the two records (same fields, equal values, any order).
    /// Records of two different layouts (a bundled llm-foundry file beside a Hugging Face export) are compared by
    /// what lm-eval's dict holds, the prompt stem, choices, gold and continuation, since no field name is shared.
    /// </summary>
    public bool SameRecordAs(MultipleChoiceDocument other) =>
        Record.ValueKind == JsonValueKind.Object && FieldNames(Record).SetEquals(FieldNames(other.Record))
            ? JsonElement.DeepEquals(Record, other.Record)
        : Query == other.Query && Gold == other.Gold && Continuation == other.Continuation && Choices.SequenceEqual(other.Choices);

    private static HashSet<string> FieldNames(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object ? record.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
}
