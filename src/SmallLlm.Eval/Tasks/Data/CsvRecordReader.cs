using System.Text;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>One CSV record and the line it starts on. <paramref name="UnclosedQuote"/>: a quoted field was still open
/// at the end of the file, so this record holds everything after its opening quote.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, bool UnclosedQuote = false);

/// <summary>
/// Reads CSV exactly as Python's <c>csv.reader</c> does with its default (excel) dialect on a file opened with
/// <c>newline=''</c>, which is what the original MMLU loader and pandas-style readers see: a quote inside an unquoted
/// field is a literal character; after a closing quote, a character other than a comma or line end continues the
/// field (<c>"b"c</c> is <c>bc</c>); doubled quotes inside quotes are one quote; quoted fields may span lines; lines end
/// at \n, \r or \r\n. A quote left open runs to the end of the file, as in Python (the record is flagged). Blank lines
/// are skipped (Python yields an empty row for them). Each record knows the line it starts on.
/// Not CsvHelper (which every report uses): on malformed quoting it reads differently from Python (<c>"c"""d</c> gives
/// <c>cd</c>, Python <c>c"d</c>; an unclosed <c>"x""</c> loses its quote) and gives neither start lines nor unclosed quotes.
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

    private enum State { StartRecord, StartField, InField, InQuotedField, QuoteInQuotedField }

    public static IEnumerable<CsvRecord> Parse(string text, string source)
    {
        int i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        int line = 1, startLine = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        var state = State.StartRecord;
        void Save()
        {
            fields.Add(field.ToString());
            field.Clear();
        }
        while (i < text.Length)
        {
            char c = text[i++];
            bool lineEnd = c == '\n' || c == '\r';
            if (c == '\r' && i < text.Length && text[i] == '\n')
            {
                if (state is State.InQuotedField) field.Append('\r'); // "\r\n" inside quotes is kept as it is
                c = '\n';
                i++;
            }
            switch (state)
            {
                case State.StartRecord:
                    startLine = line;
                    if (lineEnd) break; // a blank line
                    state = State.StartField;
                    goto case State.StartField;
                case State.StartField:
                    if (lineEnd) { Save(); state = State.StartRecord; }
                    else if (c == '"') state = State.InQuotedField;
                    else if (c == ',') Save();
                    else { field.Append(c); state = State.InField; }
                    break;
                case State.InField:
                    if (lineEnd) { Save(); state = State.StartRecord; }
                    else if (c == ',') { Save(); state = State.StartField; }
                    else field.Append(c);
                    break;
                case State.InQuotedField:
                    if (c == '"') state = State.QuoteInQuotedField;
                    else field.Append(c);
                    break;
                case State.QuoteInQuotedField:
                    if (c == '"') { field.Append('"'); state = State.InQuotedField; }
                    else if (c == ',') { Save(); state = State.StartField; }
                    else if (lineEnd) { Save(); state = State.StartRecord; }
                    else { field.Append(c); state = State.InField; }
                    break;
            }
            if (lineEnd) line++;
            if (state == State.StartRecord && fields.Count > 0)
            {
                yield return new CsvRecord(startLine, fields.ToList());
                fields.Clear();
            }
        }
        // End of data: Python saves an open field (even an unclosed quoted one) and yields the record.
        if (state != State.StartRecord)
        {
            bool unclosed = state == State.InQuotedField;
            if (field.Length > 0 || state is State.InQuotedField or State.QuoteInQuotedField or State.InField or State.StartField) Save();
            yield return new CsvRecord(startLine, fields.ToList(), unclosed);
        }
    }
}
