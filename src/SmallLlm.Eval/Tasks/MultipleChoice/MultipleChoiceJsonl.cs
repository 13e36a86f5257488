using System.Text.Json;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>Reads MosaicML llm-foundry's multiple-choice JSONL: <c>{"query": ..., "choices": [...], "gold": i}</c> per line.</summary>
public static class MultipleChoiceJsonl
{
    public static List<MultipleChoiceDocument> Read(string path, DataIssues issues)
    {
        var docs = new List<MultipleChoiceDocument>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            string? query = JsonFields.String(o, "query");
            var choices = JsonFields.Strings(o, "choices");
            int? goldIndex = JsonFields.Int(o, "gold");
            if (query is null || choices is null || goldIndex is null)
            {
                issues.Report(where, o.ValueKind != JsonValueKind.Object ? $"expected a JSON object, found {o.ValueKind.ToString().ToLowerInvariant()}"
                    : "expected query (string), choices (array of strings) and gold (integer)");
                continue;
            }
            int gold = goldIndex.Value;
            if (choices.Count < 2 || gold < 0 || gold >= choices.Count)
            {
                issues.Report(where, $"gold {gold} must index one of the {choices.Count} choices (at least 2)");
                continue;
            }
            docs.Add(new MultipleChoiceDocument(docs.Count, query, choices, gold, where));
        }
        if (docs.Count == 0) throw new InvalidDataException($"{path}: no usable documents");
        return docs;
    }
}
