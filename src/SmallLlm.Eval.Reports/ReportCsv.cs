using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace SmallLlm.Eval.Reports;

/// <summary>
/// CSV as every report writes and reads it (CsvHelper, RFC 4180: fields with commas, quotes or line breaks are quoted,
/// quotes doubled; "\n" line ends), so what one report writes the next reads back field for field.
/// </summary>
public static class ReportCsv
{
    private static CsvConfiguration Configuration(bool header) => new(CultureInfo.InvariantCulture)
    {
        NewLine = "\n",
        HasHeaderRecord = header,
        DetectColumnCountChanges = false,
    };

    /// <summary>The rows (the first one the header) as CSV text.</summary>
    public static string Render(IEnumerable<IEnumerable<string>> rows)
    {
        using var text = new StringWriter { NewLine = "\n" };
        using (var csv = new CsvWriter(text, Configuration(header: false), leaveOpen: true))
        {
            foreach (var row in rows)
            {
                foreach (string field in row) csv.WriteField(field);
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>The records of <paramref name="path"/> with the line each ends on (a quoted field may span lines).</summary>
    public static IEnumerable<(int Line, string[] Fields)> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var parser = new CsvParser(reader, Configuration(header: false));
        while (parser.Read()) yield return (parser.RawRow, parser.Record ?? []);
    }

    /// <summary>A number as it round-trips ("R"), or "" for none.</summary>
    public static string Number(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
}
