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

    /// <summary>Python's dict equality of the two records: same fields with equal values, in any order.</summary>
    public bool SameRecordAs(MultipleChoiceDocument other) => JsonElement.DeepEquals(Record, other.Record);
}
