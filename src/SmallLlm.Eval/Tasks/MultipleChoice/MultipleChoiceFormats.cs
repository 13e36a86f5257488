using System.Text.Json;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// The data formats a multiple-choice task file can name in "format": MosaicML llm-foundry's converted JSONL (the
/// default; query/choices/gold, or context_options/continuation/gold for partial evaluation) and the original releases
/// and Hugging Face exports of ARC, PIQA, HellaSwag, BoolQ, COPA, OpenBookQA and WinoGrande, each turned into documents exactly as lm-evaluation-harness's
/// task (its process_docs, doc_to_text and doc_to_choice).
/// </summary>
public static class MultipleChoiceFormats
{
    public static readonly string[] Names = ["llmfoundry", "arc", "piqa", "hellaswag", "boolq", "copa", "openbookqa", "winogrande"];

    public static List<MultipleChoiceDocument> Read(string format, string path, DataIssues issues)
    {
        Func<JsonElement, int, string, MultipleChoiceDocument?> convert = format switch
        {
            "llmfoundry" => LlmFoundry,
            "arc" => LmEvalDocuments.Arc,
            "piqa" => LmEvalDocuments.Piqa,
            "hellaswag" => LmEvalDocuments.HellaSwag,
            "boolq" => LmEvalDocuments.BoolQ,
            "copa" => LmEvalDocuments.Copa,
            "openbookqa" => LmEvalDocuments.OpenBookQa,
            "winogrande" => LmEvalDocuments.Winogrande,
            _ => throw new InvalidDataException($"unknown multiple-choice format '{format}': known formats are {string.Join(", ", Names)}"),
        };
        var docs = new List<MultipleChoiceDocument>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            MultipleChoiceDocument? d;
            try { d = o.ValueKind == JsonValueKind.Object ? convert(o, docs.Count, where) : null; }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
            {
                issues.Report(where, $"not a {format} record: {e.Message}");
                continue;
            }
            if (d is null) { issues.Report(where, $"not a {format} record (see the task's data format)"); continue; }
            if (d.Choices.Count < 2 || d.Gold < 0 || d.Gold >= d.Choices.Count)
            {
                issues.Report(where, $"gold {d.Gold} must index one of the {d.Choices.Count} choices (at least 2)");
                continue;
            }
            docs.Add(d with { Record = o.Clone() });
        }
        if (docs.Count == 0) throw new InvalidDataException($"{path}: no usable documents");
        return docs;
    }

    /// <summary>llm-foundry: {"query", "choices", "gold"}, or {"context_options", "continuation", "gold"} (partial evaluation).</summary>
    private static MultipleChoiceDocument? LlmFoundry(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("context_options", out var opts))
            return new MultipleChoiceDocument(index, "", Strings(opts), Int(o, "gold"), where) { Continuation = Str(o, "continuation") };
        if (!o.TryGetProperty("query", out var q) || q.ValueKind != JsonValueKind.String) return null;
        return new MultipleChoiceDocument(index, q.GetString()!, Strings(o.GetProperty("choices")), Int(o, "gold"), where);
    }

    public static string Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"'{name}' must be a string");

    public static int Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
        : o.TryGetProperty(name, out v) && v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out i) ? i
        : throw new FormatException($"'{name}' must be an integer");

    public static List<string> Strings(JsonElement a) =>
        a.ValueKind == JsonValueKind.Array && a.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? a.EnumerateArray().Select(x => x.GetString()!).ToList()
            : throw new FormatException("choices must be an array of strings");
}
