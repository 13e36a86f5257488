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
            if (!o.TryGetProperty("query", out var q) || q.ValueKind != JsonValueKind.String ||
                !o.TryGetProperty("choices", out var c) || c.ValueKind != JsonValueKind.Array ||
                !o.TryGetProperty("gold", out var g) || g.ValueKind != JsonValueKind.Number)
            {
                issues.Report(where, "expected an object with query (string), choices (array) and gold (number)");
                continue;
            }
            var choices = c.EnumerateArray().Select(x => x.GetString() ?? "").ToList();
            int gold = g.GetInt32();
            if (choices.Count < 2 || gold < 0 || gold >= choices.Count)
            {
                issues.Report(where, $"gold {gold} must index one of the {choices.Count} choices (at least 2)");
                continue;
            }
            docs.Add(new MultipleChoiceDocument(docs.Count, q.GetString()!, choices, gold, where));
        }
        if (docs.Count == 0) throw new InvalidDataException($"{path}: no usable documents");
        return docs;
    }
}
