namespace SmallLlm.Eval.Cli.Tests;

/// <summary>The progress line on stderr: requests done (fractions inside a long request), percentage and tokens/s.</summary>
public class ConsoleProgressTests
{
    [Fact]
    public void The_progress_line_shows_the_fraction_and_tokens_per_second()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, "tinyshakespeare", interactive: false);
        progress.ReportPartial(0, 1, 0);
        Thread.Sleep(10);
        progress.ReportPartial(1, 1, 5000);
        string last = output.ToString().Trim().Split('\n')[^1];
        Assert.Contains("1/1 requests 100", last);
        Assert.Matches(@"\d+ tok/s", last);
        var partial = new StringWriter();
        new ConsoleProgress(partial, "t", interactive: false).ReportPartial(0.37, 1, 100);
        Assert.Contains("0.37/1 requests 37", partial.ToString());
    }
}
