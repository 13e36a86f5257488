using System.Diagnostics;
using System.Text.Json;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tests.Tasks.Data;

/// <summary>CSV is read exactly as Python's csv module reads it (what the original MMLU loader sees): checked against
/// python3 itself on tricky input where python3 is present, and against the values it gives, written out here.</summary>
public class CsvRecordReaderTests
{
    // Quotes inside unquoted fields, text after a closing quote, doubled quotes, multi-line quoted fields, \r\n inside
    // and outside quotes, a lone \r, blank lines, a BOM, trailing commas, an empty quoted field, a last line without \n.
    private const string Tricky = "\uFEFFplain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",x,A\r\n" +
        "ab\"c,d\"e\"f,5\" tall,\"q\"uote\"d,\"\",B\n\n" +
        "\"last\r\n\",,,,,C\r" +
        "x,\"y\"\"\",z\"\",,,\n" +
        "\"\"\"\",a\"\"b,\"c\"\"\"d,e,f,D";

    private static readonly string[][] PythonRows =
    [
        ["plain", "a, b", "say \"hi\"", "two\nlines", "x", "A"],
        ["ab\"c", "d\"e\"f", "5\" tall", "quote\"d", "", "B"],
        ["last\r\n", "", "", "", "", "C"],
        ["x", "y\"", "z\"\"", "", "", ""],
        ["\"", "a\"\"b", "c\"d", "e", "f", "D"],
    ];

    [Fact]
    public void Tricky_csv_reads_as_pythons_csv_module_reads_it()
    {
        var records = CsvRecordReader.Parse(Tricky, "t.csv").ToList();
        Assert.Equal(PythonRows.Length, records.Count);
        for (int i = 0; i < PythonRows.Length; i++) Assert.Equal(PythonRows[i], records[i].Fields);
        Assert.Equal([1, 3, 5, 7, 8], records.Select(r => r.Line)); // a multi-line field moves the next record down
        Assert.All(records, r => Assert.False(r.UnclosedQuote));
    }

    [SkippableTheory]
    [InlineData(Tricky)]
    [InlineData("ok,1\n\"never closed,2\nnext,3\n")]
    [InlineData("a,\"b\"c,d\nq\"\"r,s\n\"\"\n,\n\r\n\"x\"\"\n")]
    [InlineData("one\rtwo\r\nthree\n\"in\rquotes\",x")]
    public void Matches_python3_csv_reader_on_the_same_bytes(string csv)
    {
        var python = PythonCsv(csv);
        var ours = CsvRecordReader.Parse(csv, "t.csv").Select(r => r.Fields.ToArray()).ToList();
        Assert.Equal(python.Count, ours.Count);
        for (int i = 0; i < python.Count; i++) Assert.Equal(python[i], ours[i]);
    }

    [Fact]
    public void An_unclosed_quote_runs_to_the_end_and_is_flagged_as_in_python()
    {
        var records = CsvRecordReader.Parse("ok,1\n\"never closed,2\nnext,3\n", "t.csv").ToList();
        Assert.Equal(2, records.Count);
        Assert.True(records[1].UnclosedQuote);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(["never closed,2\nnext,3\n"], records[1].Fields);
    }

    /// <summary>Rows of python3's csv.reader on a file holding <paramref name="csv"/>, opened with newline=''
    /// (blank lines, which Python yields as [], left out as our reader skips them).</summary>
    private static List<string[]> PythonCsv(string csv)
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, csv, new System.Text.UTF8Encoding(false));
            ProcessStartInfo psi = new("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-c", "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps([r for r in csv.reader(f) if r]))", file })
                psi.ArgumentList.Add(a);
            Process? p;
            try { p = Process.Start(psi); }
            catch (System.ComponentModel.Win32Exception) { p = null; }
            Skip.If(p is null, "no python3 on this machine: comparison with Python's csv module skipped (the fixed expectations above still run)");
            string output = p!.StandardOutput.ReadToEnd(), errors = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, errors);
            return JsonSerializer.Deserialize<List<string[]>>(output)!;
        }
        finally { File.Delete(file); }
    }
}
