namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tokenizers compare` gives totals first (per-file rows on request, charts of the largest groups); `encode` reads files.</summary>
public class TokenizersCommandTests
{
    [Fact]
    public void Compare_shows_totals_unless_asked_for_every_file_and_charts_only_the_largest_groups()
    {
        string dir = Directory.CreateTempSubdirectory("compare-").FullName;
        try
        {
            string corpus = Path.Combine(dir, "langs");
            Directory.CreateDirectory(corpus);
            for (int i = 0; i < 40; i++) File.WriteAllText(Path.Combine(corpus, $"f{i:00}.txt"), string.Concat(Enumerable.Repeat($"file {i} has words ", i + 1)));
            var totals = CliRun.InProcess("tokenizers", "compare", "-t", "llama2", "-t", "llama3", "-c", corpus, "--no-progress", "--plot", Path.Combine(dir, "c.png"), "--top", "5");
            Assert.True(totals.ExitCode == 0, totals.ToString());
            Assert.Contains("totals (40 files; --per-file lists each)", totals.Stdout);
            Assert.DoesNotContain("f07.txt", totals.Stdout);
            string chart = Path.Combine(dir, "c.langs.png");
            Assert.True(File.Exists(chart));
            Assert.InRange(PngWidth(chart), 100, 2000); // 5 groups, not 40

            var perFile = CliRun.InProcess("tokenizers", "compare", "-t", "llama2", "-c", corpus, "--no-progress", "--per-file");
            Assert.Contains("f07.txt", perFile.Stdout);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Encode_reads_a_file()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "Hello world!");
        var run = CliRun.InProcess("tokenizers", "encode", "-t", "llama3", "--file", file, "--json");
        File.Delete(file);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([9906, 1917, 0], run.Json().GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        var neither = CliRun.InProcess("tokenizers", "encode", "-t", "llama3", "--text", "a", "--file", "x");
        Assert.Equal(2, neither.ExitCode);
    }

    /// <summary>Width from the PNG header (IHDR, big-endian at byte 16).</summary>
    private static int PngWidth(string png)
    {
        var b = File.ReadAllBytes(png);
        return (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
    }
}
