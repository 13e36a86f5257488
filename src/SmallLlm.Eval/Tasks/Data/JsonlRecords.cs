using System.IO.Compression;
using System.Text.Json;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>
/// The records of a JSONL file (optionally gzip-compressed), each with its "file:line". Blank lines are skipped; a line
/// that is not valid JSON is reported to <see cref="DataIssues"/> (skipped, or fatal under --strict).
/// </summary>
public static class JsonlRecords
{
    /// <summary>Each record is valid until the next one is read.</summary>
    public static IEnumerable<(string Where, JsonElement Record)> Read(string path, DataIssues issues)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"task data file '{path}' not found");
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data);
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string where = $"{path}:{line}";
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException e)
            {
                issues.Report(where, $"not valid JSON: {e.Message}");
                continue;
            }
            using (doc) yield return (where, doc.RootElement);
        }
    }
}
