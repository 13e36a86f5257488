using System.Text.Json;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>
/// Reads MMLU in the original Hendrycks layout (<c>dev|val|test/&lt;subject&gt;_&lt;split&gt;.csv</c>, rows
/// <c>question,A,B,C,D,answer</c>, no header) or as JSONL (<c>&lt;split&gt;.jsonl</c>, objects with subject, question,
/// choices[4] and answer as a letter or 0-3). Bad rows are reported with file and line.
/// </summary>
public sealed class MmluDataset
{
    public string Root { get; }
    public IReadOnlyList<string> Files { get; }
    private readonly Dictionary<string, Dictionary<string, List<MmluQuestion>>> _bySplit = new(); // split → subject → questions

    private MmluDataset(string root, List<string> files)
    {
        Root = root;
        Files = files;
    }

    public IReadOnlyList<MmluQuestion> Questions(string split, string subject) =>
        _bySplit.TryGetValue(split, out var s) && s.TryGetValue(subject, out var q) ? q : [];

    public IReadOnlyCollection<string> Subjects(string split) =>
        _bySplit.TryGetValue(split, out var s) ? s.Keys.Order(StringComparer.Ordinal).ToList() : [];

    public IReadOnlyCollection<string> Splits => _bySplit.Keys;

    public static MmluDataset Load(string root, DataIssues issues)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"MMLU data folder '{root}' not found: expected dev/ and test/ folders of <subject>_<split>.csv, or <split>.jsonl files");
        var csv = new[] { "dev", "val", "test" }.Where(s => Directory.Exists(Path.Combine(root, s)))
            .SelectMany(s => Directory.GetFiles(Path.Combine(root, s), "*.csv")).ToList();
        var jsonl = Directory.GetFiles(root, "*.jsonl").ToList();
        if (csv.Count == 0 && jsonl.Count == 0)
            throw new InvalidDataException($"{root}: no MMLU data: expected dev/ and test/ folders of <subject>_<split>.csv, or <split>.jsonl files");
        var data = new MmluDataset(root, [.. csv, .. jsonl]);
        foreach (var file in csv.Order(StringComparer.Ordinal)) data.ReadCsv(file, issues);
        foreach (var file in jsonl.Order(StringComparer.Ordinal)) data.ReadJsonl(file, issues);
        return data;
    }

    private List<MmluQuestion> Bucket(string split, string subject)
    {
        if (!_bySplit.TryGetValue(split, out var s)) _bySplit[split] = s = new();
        if (!s.TryGetValue(subject, out var q)) s[subject] = q = new();
        return q;
    }

    private void ReadCsv(string file, DataIssues issues)
    {
        string split = Path.GetFileName(Path.GetDirectoryName(file))!;
        string name = Path.GetFileNameWithoutExtension(file);
        string suffix = "_" + split;
        if (!name.EndsWith(suffix))
        {
            issues.Warn($"{file}: file name should be <subject>{suffix}.csv; file ignored");
            return;
        }
        string subject = name[..^suffix.Length];
        var bucket = Bucket(split, subject);
        int before = bucket.Count;
        foreach (var r in CsvRecordReader.Read(file))
        {
            string where = $"{file}:{r.Line}";
            if (r.UnclosedQuote)
            {
                issues.Report(where, "a quoted field opened in this row is never closed, so (as Python's csv reads it) the row runs to the end of the file");
                continue;
            }
            if (r.Fields.Count != 6)
            {
                issues.Report(where, $"expected 6 fields (question, A, B, C, D, answer), found {r.Fields.Count}");
                continue;
            }
            int answer = Array.IndexOf(MmluQuestion.Letters, r.Fields[5].Trim());
            if (answer < 0)
            {
                issues.Report(where, $"answer '{r.Fields[5]}' is not one of A, B, C, D");
                continue;
            }
            if (string.IsNullOrWhiteSpace(r.Fields[0]))
            {
                issues.Report(where, "the question is empty");
                continue;
            }
            bucket.Add(new MmluQuestion(subject, split, bucket.Count, r.Fields[0], r.Fields.Skip(1).Take(4).ToList(), answer, where));
        }
        if (bucket.Count == before) issues.Warn($"{file}: subject '{subject}' has no usable questions in split '{split}'");
    }

    private void ReadJsonl(string file, DataIssues issues)
    {
        string split = Path.GetFileNameWithoutExtension(file);
        foreach (var (where, o) in JsonlRecords.Read(file, issues))
        {
            string? subject = JsonFields.String(o, "subject");
            string? question = JsonFields.String(o, "question");
            var choices = JsonFields.Strings(o, "choices");
            if (subject is null || question is null || choices is null || !JsonFields.TryGet(o, "answer", out var a))
            {
                issues.Report(where, o.ValueKind != JsonValueKind.Object ? $"expected a JSON object, found {o.ValueKind.ToString().ToLowerInvariant()}"
                    : "expected subject and question (strings), choices (array of strings) and answer");
                continue;
            }
            if (subject.Length == 0)
            {
                issues.Report(where, "the subject is empty");
                continue;
            }
            if (choices.Count != 4)
            {
                issues.Report(where, $"expected 4 choices, found {choices.Count}");
                continue;
            }
            int answer = a.ValueKind == JsonValueKind.Number ? JsonFields.Int(a) ?? -1
                : a.ValueKind == JsonValueKind.String ? Array.IndexOf(MmluQuestion.Letters, a.GetString()!.Trim()) : -1;
            if (answer is < 0 or > 3)
            {
                issues.Report(where, $"answer {a.GetRawText()} is not one of A, B, C, D (or 0-3)");
                continue;
            }
            var bucket = Bucket(split, subject);
            bucket.Add(new MmluQuestion(subject, split, bucket.Count, question, choices, answer, where));
        }
    }
}
