using System.Text;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>One CSV record and the line it starts on.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// An RFC 4180 reader that keeps line numbers: fields may be quoted, quoted fields may hold commas, doubled quotes and
/// newlines. A malformed record (an unterminated quote, text after a closing quote) is an error naming file and line.
/// </summary>
public static class CsvRecordReader
{
    public static IEnumerable<CsvRecord> Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: false)); }
        catch (IOException e) { throw new InvalidDataException($"{path}: cannot read: {e.Message}"); }
        return Parse(text, path);
    }

    public static IEnumerable<CsvRecord> Parse(string text, string source)
    {
        int i = 0, line = 1;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        while (i < text.Length)
        {
            int startLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                            throw new CsvFormatException(source, startLine, "a quoted field is never closed (missing '\"')");
                        char c = text[i++];
                        if (c == '"')
                        {
                            if (i < text.Length && text[i] == '"') { field.Append('"'); i++; continue; }
                            break;
                        }
                        if (c == '\n') line++;
                        field.Append(c);
                    }
                    if (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                        throw new CsvFormatException(source, line, $"unexpected '{text[i]}' after a closing quote (quotes inside a field must be doubled)");
                }
                else
                {
                    while (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    {
                        if (text[i] == '"')
                            throw new CsvFormatException(source, line, "a '\"' inside an unquoted field (quote the field and double the quote)");
                        field.Append(text[i++]);
                    }
                }
                fields.Add(field.ToString());
                field.Clear();
                if (i >= text.Length) endOfRecord = true;
                else if (text[i] == ',') i++;
                else
                {
                    if (text[i] == '\r') i++;
                    if (i < text.Length && text[i] == '\n') i++;
                    line++;
                    endOfRecord = true;
                }
            }
            if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
            yield return new CsvRecord(startLine, fields);
        }
    }
}

/// <summary>A CSV syntax error at a known place.</summary>
public sealed class CsvFormatException(string file, int line, string problem)
    : FormatException($"{file}:{line}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Problem { get; } = problem;
}
