using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tests.Tasks.Data;

public class CsvRecordReaderTests
{
    [Fact]
    public void QuotedFieldsKeepCommasDoubledQuotesAndNewlines_AndRecordsKnowTheirLine()
    {
        string csv = "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",x,A\nnext,1,2,3,4,B\n\n\"last\r\n\",,,,,C";
        var records = CsvRecordReader.Parse(csv, "t.csv").ToList();
        Assert.Equal(3, records.Count);
        Assert.Equal(["plain", "a, b", "say \"hi\"", "two\nlines", "x", "A"], records[0].Fields);
        Assert.Equal(1, records[0].Line);
        Assert.Equal(3, records[1].Line);       // the record after the two-line field starts on line 3
        Assert.Equal(5, records[2].Line);       // a blank line is skipped but counted
        Assert.Equal("last\r\n", records[2].Fields[0]);
        Assert.Equal(["", "", "", "", "C"], records[2].Fields.Skip(1));
    }

    [Theory]
    [InlineData("ok,1\n\"never closed,2\n", 2, "never closed")]
    [InlineData("a,\"b\"c,d\n", 1, "after a closing quote")]
    [InlineData("x\nab\"c,d\n", 2, "inside an unquoted field")]
    public void MalformedRecordsNameFileAndLine(string csv, int line, string problem)
    {
        var e = Assert.Throws<CsvFormatException>(() => CsvRecordReader.Parse(csv, "bad.csv").ToList());
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"bad.csv:{line}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
