using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Mmlu;

namespace SmallLlm.Eval.Tests.Tasks.Mmlu;

/// <summary>Malformed MMLU data is reported with file and line, skipped (with a warning) or fatal under --strict.</summary>
public class MmluDataTests
{
    private static string Folder(params (string Path, string Text)[] files)
    {
        string root = RepoPaths.Temp("mmlu");
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllText(Path.Combine(root, path), text);
        }
        return root;
    }

    private const string Good = "\"What is 2, plus \"\"2\"\"?\",3,4,\"multi\nline\",5,B\n";

    [Fact]
    public void Answer_outside_a_to_d_is_skipped_with_file_and_line_or_fatal_when_strict()
    {
        string root = Folder(("test/math_test.csv", Good + "Q2,a,b,c,d,E\nQ3,a,b,c,d,A\n"), ("dev/math_dev.csv", Good));
        var issues = new DataIssues(strict: false);
        var data = MmluDataset.Load(root, issues);
        Assert.Equal(2, data.Questions("test", "math").Count);
        Assert.Equal("What is 2, plus \"2\"?", data.Questions("test", "math")[0].Question);
        Assert.Equal("multi\nline", data.Questions("test", "math")[0].Choices[2]);
        var warning = Assert.Single(issues.Warnings);
        Assert.Contains("math_test.csv:3: answer 'E' is not one of A, B, C, D", warning);

        var e = Assert.Throws<InvalidDataException>(() => MmluDataset.Load(root, new DataIssues(strict: true)));
        Assert.Contains("math_test.csv:3", e.Message);
    }

    [Fact]
    public void Wrong_field_count_and_unterminated_quote_are_reported()
    {
        string root = Folder(("test/x_test.csv", "Q,a,b,c,A\nQ,a,b,c,d,A\n\"open,a,b,c,d,A\n"));
        var issues = new DataIssues(strict: false);
        var data = MmluDataset.Load(root, issues);
        Assert.Single(data.Questions("test", "x"));
        Assert.Contains(issues.Warnings, w => w.Contains("x_test.csv:1: expected 6 fields (question, A, B, C, D, answer), found 5"));
        Assert.Contains(issues.Warnings, w => w.Contains("x_test.csv:3: a quoted field opened in this row is never closed"));
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_literal_and_costs_no_later_row()
    {
        // The original loader (Python's csv, pandas) reads these rows; a strict RFC 4180 reader gave up on the file.
        string root = Folder(("test/x_test.csv", "He said \"hi\" twice,a,b,c,d,A\n\"q\"uoted,5\" tall,b,c,d,B\nbad row,A\nlast,a,b,c,d,C\n"));
        var issues = new DataIssues(strict: false);
        var questions = MmluDataset.Load(root, issues).Questions("test", "x");
        Assert.Equal(["He said \"hi\" twice", "quoted", "last"], questions.Select(q => q.Question));
        Assert.Equal("5\" tall", questions[1].Choices[0]);
        Assert.Contains("x_test.csv:3: expected 6 fields", Assert.Single(issues.Warnings));
    }

    [Theory]
    [InlineData("[1, 2, 3]", "expected a JSON object, found array")]
    [InlineData("{\"subject\":7,\"question\":\"Q\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":1}", "expected subject and question (strings)")]
    [InlineData("{\"subject\":\"s\",\"question\":\"Q\",\"choices\":[\"a\",2,\"c\",\"d\"],\"answer\":1}", "choices (array of strings)")]
    [InlineData("{\"subject\":\"s\",\"question\":\"Q\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":1.5}", "answer 1.5 is not one of")]
    [InlineData("{\"subject\":\"s\",\"question\":\"Q\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":[1]}", "answer [1] is not one of")]
    public void A_wrong_typed_jsonl_value_skips_only_its_row(string bad, string problem)
    {
        string good = "{\"subject\":\"s\",\"question\":\"Q\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":1.0}";
        string root = Folder(("test.jsonl", good + "\n" + bad + "\n" + good + "\n"));
        var issues = new DataIssues(strict: false);
        Assert.Equal(2, MmluDataset.Load(root, issues).Questions("test", "s").Count);
        Assert.Contains("test.jsonl:2: ", Assert.Single(issues.Warnings));
        Assert.Contains(problem, issues.Warnings[0]);
        var e = Assert.Throws<InvalidDataException>(() => MmluDataset.Load(root, new DataIssues(strict: true)));
        Assert.Contains("test.jsonl:2: ", e.Message);
    }

    [Fact]
    public void Empty_subject_is_named()
    {
        string root = Folder(("test/empty_test.csv", ""), ("test/x_test.csv", Good));
        var issues = new DataIssues(strict: false);
        MmluDataset.Load(root, issues);
        Assert.Contains(issues.Warnings, w => w.Contains("subject 'empty' has no usable questions"));
        Assert.Throws<InvalidDataException>(() => MmluDataset.Load(root, new DataIssues(strict: true)));
    }

    [Fact]
    public void Jsonl_form_with_letter_or_index_answers()
    {
        string root = Folder(("test.jsonl",
            "{\"subject\":\"s\",\"question\":\"Q1\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":\"C\"}\n" +
            "{\"subject\":\"s\",\"question\":\"Q2\",\"choices\":[\"a\",\"b\",\"c\",\"d\"],\"answer\":1}\n" +
            "{\"subject\":\"s\",\"question\":\"Q3\",\"choices\":[\"a\",\"b\"],\"answer\":1}\n" +
            "not json\n"));
        var issues = new DataIssues(strict: false);
        var data = MmluDataset.Load(root, issues);
        Assert.Equal([2, 1], data.Questions("test", "s").Select(q => q.Answer));
        Assert.Contains(issues.Warnings, w => w.Contains("test.jsonl:3: expected 4 choices, found 2"));
        Assert.Contains(issues.Warnings, w => w.Contains("test.jsonl:4: not valid JSON"));
    }

    [Fact]
    public void Missing_data_folder_says_what_was_expected()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => MmluDataset.Load("/no/such/mmlu", new DataIssues(false)));
        Assert.Contains("expected dev/ and test/ folders", e.Message);
    }
}
