using System.Text;
using System.Text.RegularExpressions;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Perplexity;

/// <summary>
/// Reads the documents of a perplexity corpus (a file, or every file under a folder in ordinal order). Binary files
/// (NUL bytes) and empty files or documents are skipped and counted; invalid UTF-8 is replaced and reported.
/// </summary>
public sealed partial class PerplexityCorpus
{
    private const int SniffBytes = 8192;

    public required IReadOnlyList<string> Files { get; init; }
    public required IReadOnlyList<PerplexityDocument> Documents { get; init; }
    public int BinaryFiles { get; init; }
    public int EmptyFiles { get; init; }
    public int EmptyDocuments { get; init; }

    [GeneratedRegex(@"^ = [^=].* = $")]
    private static partial Regex WikitextHeading();

    public static PerplexityCorpus Read(string path, DocumentSplit split, string? separator, DataIssues issues)
    {
        List<string> candidates;
        if (File.Exists(path)) candidates = [Path.GetFullPath(path)];
        else if (Directory.Exists(path))
            candidates = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                .Order(StringComparer.Ordinal).ToList();
        else throw new FileNotFoundException($"perplexity corpus '{path}' not found: not a file or folder");
        if (split == DocumentSplit.Separator && string.IsNullOrEmpty(separator))
            throw new InvalidDataException("document split 'separator' needs a non-empty 'separator'");

        var files = new List<string>();
        var docs = new List<PerplexityDocument>();
        int binary = 0, emptyFiles = 0, emptyDocs = 0;
        foreach (var file in candidates)
        {
            byte[] bytes = File.ReadAllBytes(file);
            if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, SniffBytes)) >= 0)
            {
                binary++;
                issues.Warn($"{file}: binary (NUL bytes), skipped");
                continue;
            }
            string text;
            try { text = StrictUtf8.GetString(bytes); }
            catch (DecoderFallbackException)
            {
                text = Encoding.UTF8.GetString(bytes);
                issues.Warn($"{file}: invalid UTF-8 replaced by U+FFFD (byte counts are of the replaced text)");
            }
            if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
            if (string.IsNullOrWhiteSpace(text)) { emptyFiles++; continue; }
            files.Add(file);
            foreach (var (docText, line) in SplitDocuments(text, split, separator))
            {
                if (string.IsNullOrWhiteSpace(docText)) { emptyDocs++; continue; }
                docs.Add(new PerplexityDocument(docs.Count, docText, $"{file}:{line}"));
            }
        }
        if (docs.Count == 0)
            throw new InvalidDataException($"perplexity corpus '{path}' has no non-empty text documents ({binary} binary, {emptyFiles} empty files skipped)");
        return new PerplexityCorpus { Files = files, Documents = docs, BinaryFiles = binary, EmptyFiles = emptyFiles, EmptyDocuments = emptyDocs };
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static IEnumerable<(string Text, int Line)> SplitDocuments(string text, DocumentSplit split, string? separator)
    {
        switch (split)
        {
            case DocumentSplit.File:
                yield return (text, 1);
                break;
            case DocumentSplit.Separator:
                int start = 0, line = 1;
                while (start <= text.Length)
                {
                    int end = text.IndexOf(separator!, start, StringComparison.Ordinal);
                    string piece = end < 0 ? text[start..] : text[start..end];
                    int leading = piece.Length - piece.TrimStart().Length;
                    yield return (piece.Trim(), line + CountNewlines(piece.AsSpan(0, leading)));
                    if (end < 0) break;
                    line += CountNewlines(text.AsSpan(start, end + separator!.Length - start));
                    start = end + separator!.Length;
                }
                break;
            case DocumentSplit.WikitextArticles:
                var lines = text.Split('\n');
                var current = new StringBuilder();
                int first = 1;
                for (int i = 0; i < lines.Length; i++)
                {
                    if (WikitextHeading().IsMatch(lines[i]) && current.ToString().Trim().Length > 0)
                    {
                        yield return (current.ToString(), first);
                        current.Clear();
                        first = i + 1;
                    }
                    current.Append(lines[i]);
                    if (i < lines.Length - 1) current.Append('\n');
                }
                yield return (current.ToString(), first);
                break;
        }
    }

    private static int CountNewlines(ReadOnlySpan<char> s) => s.Count('\n');

    public static DocumentSplit ParseSplit(string name) => name switch
    {
        "file" => DocumentSplit.File,
        "separator" => DocumentSplit.Separator,
        "wikitext_articles" => DocumentSplit.WikitextArticles,
        _ => throw new InvalidDataException($"unknown document split '{name}': use file, separator or wikitext_articles"),
    };
}
