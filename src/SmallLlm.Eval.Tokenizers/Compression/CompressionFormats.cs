using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using System.Text;
using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>Writes a <see cref="CompressionReport"/> as Markdown tables, CSV (one line per row and tokenizer) or JSON.</summary>
public static class CompressionFormats
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="perFile">Every file's row; without it, only folder and corpus totals (a corpus of one file keeps its row).</param>
    public static string Markdown(CompressionReport r, bool perFile = true)
    {
        var sb = new StringBuilder();
        var all = r.Rows();
        var rows = perFile ? all
            : all.Where(row => row.Kind != RowKind.File || !all.Any(x => x.Corpus == row.Corpus && x.Kind != RowKind.File)).ToList();
        var names = r.Tokenizers;
        string first = names[0];
        sb.AppendLine($"### Tokens (no BOS/EOS; change against {first}){(perFile || rows.Count == all.Count ? "" : $": totals ({all.Count(x => x.Kind == RowKind.File)} files; --per-file lists each)")}").AppendLine();
        sb.AppendLine("| corpus | file | bytes | chars | words | " + string.Join(" | ", names) + " |");
        sb.AppendLine("|---|---|---:|---:|---:|" + string.Concat(names.Select(_ => "---:|")));
        foreach (var row in rows)
        {
            var c = row.Counts;
            var cells = names.Select((_, t) => t == 0 ? N(c.Tokens[t]) : $"{N(c.Tokens[t])} ({Pct(CompressionReport.ChangePercent(c, t))})");
            sb.AppendLine($"| {row.Corpus} | {Label(row)} | {N(c.Bytes)} | {N(c.Characters)} | {N(c.Words)} | {string.Join(" | ", cells)} |");
        }
        Ratios(sb, r, rows, "Bytes per token", (c, t) => F(CompressionReport.BytesPerToken(c, t), 2));
        Ratios(sb, r, rows, "Tokens per word", (c, t) => F(CompressionReport.TokensPerWord(c, t), 2));
        Ratios(sb, r, rows, "Effective context: KB of this text in 4096 / 8192 tokens", (c, t) =>
            $"{F(CompressionReport.BytesInContext(c, t, 4096) / 1024, 1)} / {F(CompressionReport.BytesInContext(c, t, 8192) / 1024, 1)}",
            totalsOnly: true);
        Notes(sb, r);
        return sb.ToString();
    }

    private static void Ratios(StringBuilder sb, CompressionReport r, IReadOnlyList<CompressionRow> rows, string title,
        Func<FileCounts, int, string> cell, bool totalsOnly = false)
    {
        sb.AppendLine().AppendLine($"### {title}").AppendLine();
        sb.AppendLine("| corpus | file | " + string.Join(" | ", r.Tokenizers) + " |");
        sb.AppendLine("|---|---|" + string.Concat(r.Tokenizers.Select(_ => "---:|")));
        foreach (var row in rows)
        {
            if (totalsOnly && row.Kind == RowKind.File && rows.Any(x => x.Corpus == row.Corpus && x.Kind != RowKind.File)) continue;
            sb.AppendLine($"| {row.Corpus} | {Label(row)} | " + string.Join(" | ", r.Tokenizers.Select((_, t) => cell(row.Counts, t))) + " |");
        }
    }

    private static void Notes(StringBuilder sb, CompressionReport r)
    {
        sb.AppendLine();
        sb.AppendLine($"{r.Files.Count} files, {N(r.TotalBytes)} bytes in {r.Elapsed.TotalSeconds:F1} s.");
        long invalid = r.InvalidSequences;
        if (invalid > 0) sb.AppendLine($"{N(invalid)} invalid UTF-8 sequences were replaced by U+FFFD (bytes are counted as in the files).");
        long forced = r.Files.Sum(f => f.Counts.ForcedCuts);
        if (forced > 0) sb.AppendLine($"{forced} pieces of very long lines were cut where a token could span the cut; counts may be off by about one token per cut.");
        if (r.Skipped.Count > 0)
        {
            sb.AppendLine($"{r.Skipped.Count} files skipped:");
            foreach (var s in r.Skipped.Take(20)) sb.AppendLine($"- {s.Path}: {s.Reason}");
            if (r.Skipped.Count > 20) sb.AppendLine($"- ... and {r.Skipped.Count - 20} more");
        }
    }

    private static string Label(CompressionRow row) => row.Kind == RowKind.File ? row.Name : $"**{row.Name}**";

    public static string Csv(CompressionReport r)
    {
        var records = r.Rows().SelectMany(row => r.Tokenizers.Select((name, t) => new CsvRow(row.Corpus, row.Kind.ToString().ToLowerInvariant(),
            row.Name, row.Counts.Bytes, row.Counts.Characters, row.Counts.Words, row.Counts.InvalidSequences, name, row.Counts.Tokens[t],
            Rounded(CompressionReport.BytesPerToken(row.Counts, t)), Rounded(CompressionReport.TokensPerWord(row.Counts, t)),
            Rounded(CompressionReport.ChangePercent(row.Counts, t)), Rounded(CompressionReport.BytesInContext(row.Counts, t, 4096)),
            Rounded(CompressionReport.BytesInContext(row.Counts, t, 8192)))));
        using var text = new StringWriter(Inv);
        using (var csv = new CsvWriter(text, new CsvConfiguration(Inv) { NewLine = "\n", HasHeaderRecord = false }))
        {
            foreach (string column in CsvHeader) csv.WriteField(column);
            csv.NextRecord();
            csv.WriteRecords(records);
        }
        return text.ToString();
    }

    private static readonly string[] CsvHeader = ["corpus", "kind", "name", "bytes", "chars", "words", "invalid_utf8", "tokenizer", "tokens",
        "bytes_per_token", "tokens_per_word", "change_pct", "bytes_in_4096", "bytes_in_8192"];

    /// <summary>One line of the CSV (columns as <see cref="CsvHeader"/>): a row of the report for one tokenizer; null: not defined.</summary>
    private sealed record CsvRow(string Corpus, string Kind, string Name, long Bytes, long Chars, long Words, long InvalidUtf8, string Tokenizer,
        long Tokens, double? BytesPerToken, double? TokensPerWord, double? ChangePct, double? BytesIn4096, double? BytesIn8192);

    public static string Json(CompressionReport r)
    {
        object Counts(FileCounts c) => new
        {
            bytes = c.Bytes,
            chars = c.Characters,
            words = c.Words,
            invalid_utf8 = c.InvalidSequences,
            tokens = r.Tokenizers.Select((name, t) => (name, t)).ToDictionary(x => x.name, x => c.Tokens[x.t]),
            bytes_per_token = r.Tokenizers.Select((name, t) => (name, t)).ToDictionary(x => x.name, x => Rounded(CompressionReport.BytesPerToken(c, x.t))),
            change_pct = r.Tokenizers.Select((name, t) => (name, t)).ToDictionary(x => x.name, x => Rounded(CompressionReport.ChangePercent(c, x.t))),
        };
        var doc = new
        {
            tokenizers = r.Tokenizers,
            baseline = r.Tokenizers[0],
            corpora = r.Corpora.Select(corpus => new
            {
                path = corpus,
                total = Counts(r.CorpusTotal(corpus)),
                files = r.Files.Where(f => f.File.Corpus == corpus).Select(f => new { path = f.File.RelativePath, counts = Counts(f.Counts) }),
            }),
            skipped = r.Skipped.Select(s => new { path = s.Path, reason = s.Reason }),
            elapsed_seconds = Math.Round(r.Elapsed.TotalSeconds, 3),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static double? Rounded(double v) => double.IsNaN(v) ? null : Math.Round(v, 4);
    private static string N(long v) => v.ToString("N0", Inv);
    private static string F(double v, int digits) => double.IsNaN(v) ? "–" : v.ToString("F" + digits, Inv);
    private static string Pct(double v) => double.IsNaN(v) ? "–" : (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.Abs(v).ToString("F1", Inv) + "%";
}
