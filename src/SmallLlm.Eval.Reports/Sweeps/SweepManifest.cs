using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Reports.Sweeps;

/// <summary>
/// <c>sweep.csv</c> beside a sweep's results: checkpoint, step, tokens, the model id its results are filed under (<c>&lt;output&gt;/&lt;model&gt;/&lt;run&gt;/</c>),
/// and its path. The sweep command writes it; the sweep plot reads it with the results, so it can be redrawn later.
/// </summary>
public static class SweepManifest
{
    public const string FileName = "sweep.csv";
    private const string Header = "checkpoint,step,tokens,model,path";

    public sealed record Entry(string Checkpoint, long Step, long? Tokens, string Model, string Path);

    /// <summary>
    /// Writes sweep.csv; with <paramref name="results"/>, each task's headline metric and its standard error follow as
    /// columns (<c>task.metric</c>, <c>task.metric.stderr</c>), so a spreadsheet gets the numbers, not just the checkpoints.
    /// </summary>
    public static void Write(string outputDir, IEnumerable<Entry> entries, ResultSets.ResultSet? results = null)
    {
        var tasks = results is null ? [] : results.Tasks.Select(t => (Task: t, Metric: ResultSets.MetricKinds.Headline(results.Files.First(f => f.Task == t).Metrics))).ToList();
        var sb = new StringBuilder(Header);
        foreach (var (task, metric) in tasks) sb.Append(',').Append(Quote($"{task}.{metric}")).Append(',').Append(Quote($"{task}.{metric}.stderr"));
        sb.Append('\n');
        foreach (var e in entries)
        {
            sb.Append(string.Join(",", Quote(e.Checkpoint), e.Step.ToString(CultureInfo.InvariantCulture),
                e.Tokens?.ToString(CultureInfo.InvariantCulture) ?? "", Quote(e.Model), Quote(e.Path)));
            foreach (var (task, metric) in tasks)
            {
                var m = results!.Files.FirstOrDefault(f => f.Task == task && (f.ModelId == e.Model || (f.RunId.Length == 0 && f.Model == e.Model)))?.Metrics.GetValueOrDefault(metric);
                sb.Append(',').Append(m is null ? "" : m.Value.ToString("R", CultureInfo.InvariantCulture))
                  .Append(',').Append(m?.Stderr is double se ? se.ToString("R", CultureInfo.InvariantCulture) : "");
            }
            sb.Append('\n');
        }
        Directory.CreateDirectory(outputDir);
        File.WriteAllText(System.IO.Path.Combine(outputDir, FileName), sb.ToString());
    }

    public static IReadOnlyList<Entry> Read(string outputDir)
    {
        string path = System.IO.Path.Combine(outputDir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: run `smalleval sweep` first");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !(lines[0] == Header || lines[0].StartsWith(Header + ",", StringComparison.Ordinal))) throw new InvalidDataException($"{path}: expected the header '{Header}'");
        var entries = new List<Entry>();
        foreach (var (line, i) in lines.Skip(1).Select((l, i) => (l, i + 2)).Where(x => x.l.Length > 0))
        {
            var f = Split(line);
            if (f.Count < 5 || !long.TryParse(f[1], CultureInfo.InvariantCulture, out long step))
                throw new InvalidDataException($"{path} line {i}: expected checkpoint,step,tokens,model,path");
            entries.Add(new Entry(f[0], step, long.TryParse(f[2], CultureInfo.InvariantCulture, out long t) ? t : null, f[3], f[4]));
        }
        return entries;
    }

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
