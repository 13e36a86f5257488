using System.Text.Json;

namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>Reads <c>&lt;task&gt;.samples.jsonl</c>: one JSON object per line, keyed by doc_id (number or string).</summary>
public static class SampleFileReader
{
    /// <summary>Unit-count fields a perplexity record may carry, by the names the tasks use.</summary>
    private static readonly string[] UnitFields = ["tokens", "bytes", "words", "characters", "units", "token_count", "byte_count", "word_count", "num_tokens", "num_bytes", "num_words"];

    /// <summary>The records by doc_id, or null (with the reason) when the file is missing or unreadable.</summary>
    public static Dictionary<string, SampleRecord>? TryRead(string? path, out string? problem)
    {
        problem = null;
        if (path is null) { problem = "the results file names no per-sample file"; return null; }
        if (!File.Exists(path)) { problem = $"{Path.GetFileName(path)} is missing"; return null; }
        var records = new Dictionary<string, SampleRecord>(StringComparer.Ordinal);
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var o = doc.RootElement;
                if (!o.TryGetProperty("doc_id", out var id)) { problem = $"{Path.GetFileName(path)} line {line} has no doc_id"; return null; }
                string docId = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
                var correct = new Dictionary<string, bool>(StringComparer.Ordinal);
                var units = new Dictionary<string, double>(StringComparer.Ordinal);
                double? ll = null;
                int? choices = null;
                foreach (var p in o.EnumerateObject())
                {
                    if (p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False && p.Name.StartsWith("correct", StringComparison.Ordinal))
                        correct[p.Name] = p.Value.GetBoolean();
                    else if (p.Name == "loglikelihood" && p.Value.ValueKind == JsonValueKind.Number) ll = p.Value.GetDouble();
                    else if (p.Name == "loglikelihoods" && p.Value.ValueKind == JsonValueKind.Array) choices = p.Value.GetArrayLength();
                    else if (UnitFields.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Number) units[p.Name] = p.Value.GetDouble();
                }
                if (!records.TryAdd(docId, new SampleRecord(docId, correct, ll, units) { Choices = choices }))
                { problem = $"{Path.GetFileName(path)}: doc_id {docId} appears twice"; return null; }
            }
            catch (JsonException e) { problem = $"{Path.GetFileName(path)} line {line} is not valid JSON ({e.Message})"; return null; }
        }
        return records;
    }
}
