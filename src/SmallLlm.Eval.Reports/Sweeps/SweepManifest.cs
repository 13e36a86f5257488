using System.Globalization;
using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Sweeps;

/// <summary>
/// <c>sweep.csv</c> beside a sweep's results: checkpoint, step, tokens, the model id its results are filed under (<c>&lt;output&gt;/&lt;model&gt;/&lt;run&gt;/</c>),
/// and its path. The sweep command writes it (atomically, <see cref="ReportCsv"/>); the sweep plot reads it with the results, so it can be redrawn later.
/// </summary>
public static class SweepManifest
{
    public const string FileName = "sweep.csv";
    private static readonly string[] Header = ["checkpoint", "step", "tokens", "model", "path"];

    public sealed record Entry(string Checkpoint, long Step, long? Tokens, string Model, string Path);

    /// <summary>
    /// Writes sweep.csv; with <paramref name="results"/>, each task's headline metric and its standard error follow as
    /// columns (<c>task.metric</c>, <c>task.metric.stderr</c>), so a spreadsheet gets the numbers, not just the checkpoints.
    /// </summary>
    public static void Write(string outputDir, IEnumerable<Entry> entries, ResultSet? results = null)
    {
        var tasks = results is null ? [] : results.Tasks.Select(t => (Task: t, Metric: MetricKinds.Headline(results.Files.First(f => f.Task == t).Metrics))).ToList();
        var header = Header.Concat(tasks.SelectMany(t => new[] { $"{t.Task}.{t.Metric}", $"{t.Task}.{t.Metric}.stderr" }));
        var rows = entries.Select(e =>
        {
            var fields = new List<string> { e.Checkpoint, e.Step.ToString(CultureInfo.InvariantCulture), e.Tokens?.ToString(CultureInfo.InvariantCulture) ?? "", e.Model, e.Path };
            foreach (var (task, metric) in tasks)
            {
                var m = results!.Files.FirstOrDefault(f => f.Task == task && (f.ModelId == e.Model || (f.RunId.Length == 0 && f.Model == e.Model)))?.Metrics.GetValueOrDefault(metric);
                fields.AddRange([ReportCsv.Number(m?.Value), ReportCsv.Number(m?.Stderr)]);
            }
            return fields;
        });
        Directory.CreateDirectory(outputDir);
        AtomicFile.WriteText(System.IO.Path.Combine(outputDir, FileName), ReportCsv.Render(rows.Prepend(header)));
    }

    public static IReadOnlyList<Entry> Read(string outputDir)
    {
        string path = System.IO.Path.Combine(outputDir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: run `smalleval sweep` first");
        var entries = new List<Entry>();
        bool first = true;
        foreach (var (line, f) in ReportCsv.Read(path))
        {
            if (first)
            {
                if (f.Length < Header.Length || !f.Take(Header.Length).SequenceEqual(Header))
                    throw new InvalidDataException($"{path}: expected the header '{string.Join(",", Header)}'");
                first = false;
                continue;
            }
            if (f.Length == 1 && f[0].Length == 0) continue;
            if (f.Length < Header.Length || !long.TryParse(f[1], CultureInfo.InvariantCulture, out long step))
                throw new InvalidDataException($"{path} line {line}: expected checkpoint,step,tokens,model,path");
            entries.Add(new Entry(f[0], step, long.TryParse(f[2], CultureInfo.InvariantCulture, out long t) ? t : null, f[3], f[4]));
        }
        if (first) throw new InvalidDataException($"{path}: expected the header '{string.Join(",", Header)}'");
        return entries;
    }
}
