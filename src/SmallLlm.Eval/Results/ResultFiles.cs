using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Results;

/// <summary>
/// Writes and reads result files. Every file is written to a temporary name and renamed into place (<see cref="AtomicFile"/>),
/// so a killed run never leaves a half-written file that looks complete; the samples file is written before the result that names it.
/// </summary>
public static class ResultFiles
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions JsonLine = new(Json) { WriteIndented = false };

    public static string ModelFolderName(string modelName) =>
        string.Concat(modelName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>Writes <c>&lt;runDir&gt;/&lt;task&gt;.json</c> and its samples file (see <see cref="RunFolders"/> for the layout).</summary>
    public static void Write(string runDir, TaskResult result, IEnumerable<IReadOnlyDictionary<string, object?>> samples)
    {
        string path = Path.Combine(runDir, result.Task.Name + ".json");
        Directory.CreateDirectory(runDir);
        AtomicFile.Write(Path.Combine(Path.GetDirectoryName(path)!, result.SamplesFile), writer =>
        {
            foreach (var s in samples) writer.WriteLine(JsonSerializer.Serialize(s, JsonLine));
        });
        AtomicFile.Write(path, writer => writer.Write(JsonSerializer.Serialize(result, Json)));
    }

    /// <summary>
    /// Removes temporary files of writes that never finished (the process was killed between writing and renaming):
    /// <c>.NAME.PID.tmp</c> under <paramref name="outputDir"/> whose process is gone. Called when a run starts.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string outputDir)
    {
        var removed = new List<string>();
        if (!Directory.Exists(outputDir)) return removed;
        foreach (var file in Directory.EnumerateFiles(outputDir, ".*.tmp", SearchOption.AllDirectories))
        {
            var parts = Path.GetFileName(file).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^2], out int pid)) continue;
            if (pid != Environment.ProcessId && ProcessExists(pid)) continue; // another run is writing it right now
            try { File.Delete(file); removed.Add(file); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool ProcessExists(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>One row per (model, task, metric) of the latest run of each task under <paramref name="outputDir"/>, as CSV.</summary>
    public static void WriteSummaryCsv(string outputDir)
    {
        var rows = new List<SummaryRow>();
        foreach (var file in RunFolders.LatestResultFiles(outputDir))
        {
            TaskResult? r;
            try { r = JsonSerializer.Deserialize<TaskResult>(File.ReadAllText(file), Json); }
            catch (JsonException) { continue; } // not a result file (or another schema): reports warn about those
            if (r?.Task is null || r.Metrics is null) continue;
            foreach (var (metric, v) in r.Metrics)
                rows.Add(new SummaryRow(r.Model.Name, r.Task.Name, metric, v.Value, v.Stderr, v.N, r.Model.DType,
                    r.Task.Settings.TryGetValue("num_fewshot", out var k) ? k?.ToString() : null,
                    r.Task.Settings.TryGetValue("limit", out var l) ? l?.ToString() : null, ModelIdOf(file), RunIdOf(file)));
        }
        AtomicFile.Write(Path.Combine(outputDir, "summary.csv"), writer =>
        {
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
            csv.WriteRecords(rows);
        });
    }

    private static string RunIdOf(string file)
    {
        string runDir = Path.GetDirectoryName(file)!;
        return File.Exists(Path.Combine(Path.GetDirectoryName(runDir)!, RunFolders.LatestFile)) ? Path.GetFileName(runDir) : "";
    }

    private static string ModelIdOf(string file)
    {
        string runDir = Path.GetDirectoryName(file)!;
        return Path.GetFileName(RunIdOf(file).Length > 0 ? Path.GetDirectoryName(runDir)! : runDir);
    }

    public sealed record SummaryRow(string Model, string Task, string Metric, double Value, double? Stderr, int N, string DType, string? NumFewshot, string? Limit, string ModelId, string RunId);
}
