namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tasks inspect --count-tokens`: the documents it says are scored are the ones a run of that size scores.</summary>
public class TasksInspectCountTests
{
    [Fact]
    public void Inspect_with_a_tokenizer_and_context_says_how_many_documents_are_scored_when_some_cannot_be()
    {
        string tasks = RepoPaths.Temp("inspectcount");
        string longAnswer = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 40)); // far over 64 tokens alone
        File.WriteAllText(Path.Combine(tasks, "d.jsonl"),
            "{\"query\":\"Q1\",\"choices\":[\"yes\",\"no\"],\"gold\":0}\n" +
            $"{{\"query\":\"Q2\",\"choices\":[\"{longAnswer}\",\"no\"],\"gold\":1}}\n" +
            "{\"query\":\"Q3\",\"choices\":[\"up\",\"down\"],\"gold\":1}\n");
        File.WriteAllText(Path.Combine(tasks, "t.task.json"), "{\"name\":\"t\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        var run = CliRun.InProcess("tasks", "inspect", "t", "--tasks-dir", tasks, "--count-tokens", "-t", "tok512", "--context-length", "64");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("evaluated   3 documents", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("scored      2 documents with tokenizer tok512 at context 64 (1 cannot be scored there", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("a full run (2 documents", run.Stdout, StringComparison.Ordinal);
        var fits = CliRun.InProcess("tasks", "inspect", "t", "--tasks-dir", tasks, "--count-tokens", "-t", "tok512", "--context-length", "4096");
        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.DoesNotContain("\nscored      ", fits.Stdout, StringComparison.Ordinal);
        Assert.Contains("a full run (3 documents", fits.Stdout, StringComparison.Ordinal);
    }
}
