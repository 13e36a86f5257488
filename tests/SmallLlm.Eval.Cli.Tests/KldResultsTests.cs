using System.Text.Json;
using SmallLlm.Eval.Reports;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// `smalleval kld` files its comparison as a result (task "kld") that `leaderboard` shows in a kld section and `check`
/// gates on: real comparisons of stories260K with copies of itself with seeded noise added to every tensor (1% and 10%
/// of each tensor's standard deviation), on two TinyStories documents.
/// </summary>
public sealed class KldResultsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("smalleval-kld-").FullName;
    private string Results => Path.Combine(_root, "results");

    private string Kld(string model, string output)
    {
        var run = CliRun.InProcess("kld", "--base", "stories260K", "--model", model, "--limit", "2", "-o", output, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        string file = run.Json().GetProperty("result").GetString()!;
        Assert.True(File.Exists(file), file);
        return file;
    }

    private (string Slight, string Heavy) Perturbed()
    {
        string dir = Path.Combine(_root, "checkpoints");
        PerturbedCheckpoints.Write(dir, [("slight", 0.01), ("heavy", 0.1)]);
        foreach (string name in new[] { "slight", "heavy" })
            File.Copy(SharedFiles.Get("models/stories260K/tok512.bin"), Path.Combine(dir, name, "tok512.bin"));
        return (Path.Combine(dir, "slight"), Path.Combine(dir, "heavy"));
    }

    [Fact]
    public void Kld_runs_are_filed_shown_in_the_leaderboard_and_gated_by_limits_and_by_a_baseline()
    {
        var (slight, heavy) = Perturbed();
        string slightFile = Kld(slight, Results), heavyFile = Kld(heavy, Results);

        // The result: schema 2, run layout, declared directions, the base model's identity in the settings.
        using var doc = JsonDocument.Parse(File.ReadAllText(slightFile));
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("schema_version").GetInt32());
        Assert.Equal("kld", root.GetProperty("task").GetProperty("name").GetString());
        Assert.Equal("kld.json", Path.GetFileName(slightFile));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(slightFile))!, "latest")));
        var settings = root.GetProperty("task").GetProperty("settings");
        Assert.Equal("stories260K", settings.GetProperty("base_model").GetString());
        Assert.StartsWith("stories260K-fp32-", settings.GetProperty("base_model_id").GetString());
        var declarations = root.GetProperty("metric_declarations");
        Assert.False(declarations.GetProperty("mean_kld").GetProperty("higher_is_better").GetBoolean());
        Assert.True(declarations.GetProperty("mean_kld").GetProperty("headline").GetBoolean());
        Assert.True(declarations.GetProperty("top1_agreement").GetProperty("higher_is_better").GetBoolean());
        Assert.False(declarations.GetProperty("kld_p99").GetProperty("higher_is_better").GetBoolean());
        double Metric(string file, string name) => JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("metrics").GetProperty(name).GetProperty("value").GetDouble();
        double slightKld = Metric(slightFile, "mean_kld"), heavyKld = Metric(heavyFile, "mean_kld");
        Assert.True(slightKld > 0 && slightKld < heavyKld, $"1% noise: mean KLD {slightKld:E3}, 10% noise: {heavyKld:E3}");
        Assert.True(Metric(slightFile, "top1_agreement") >= Metric(heavyFile, "top1_agreement"));

        // The leaderboard: no task columns from kld runs, a kld section with both, closest first.
        var board = CliRun.InProcess("leaderboard", "--results", Results);
        Assert.True(board.ExitCode == 0, board.ToString());
        int section = board.Stdout.IndexOf("## kld", StringComparison.Ordinal);
        Assert.True(section >= 0, board.Stdout);
        Assert.DoesNotContain("kld mean_kld", board.Stdout);
        Assert.True(board.Stdout.IndexOf("| slight |", section, StringComparison.Ordinal) < board.Stdout.IndexOf("| heavy |", section, StringComparison.Ordinal), board.Stdout);
        string html = Path.Combine(_root, "board.html"), csv = Path.Combine(_root, "board.csv");
        Assert.Equal(0, CliRun.InProcess("leaderboard", "--results", Results, "--format", "html", "-o", html).ExitCode);
        Assert.Contains("<h2>kld</h2>", File.ReadAllText(html));
        Assert.Equal(0, CliRun.InProcess("leaderboard", "--results", Results, "--format", "csv", "-o", csv).ExitCode);
        var kldCsv = ReportCsv.Read(Path.Combine(_root, "board-kld.csv")).Select(r => r.Fields).ToList();
        Assert.Equal(3, kldCsv.Count); // header and both runs
        Assert.Equal(slightKld, double.Parse(kldCsv[1][Array.IndexOf(kldCsv[0], "mean_kld")], System.Globalization.CultureInfo.InvariantCulture));
        var json = CliRun.InProcess("leaderboard", "--results", Results, "--json").Json();
        Assert.Equal(2, json.GetProperty("kld").GetArrayLength());
        Assert.Equal(slightKld, json.GetProperty("kld")[0].GetProperty("mean_kld").GetDouble());

        // Limits: a threshold between the two passes the slight copy and fails the heavy one (exit 1), naming the value.
        string between = Math.Sqrt(slightKld * heavyKld).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string slightRun = Path.GetDirectoryName(slightFile)!, heavyRun = Path.GetDirectoryName(heavyFile)!;
        var pass = CliRun.InProcess("check", "--current", slightRun, "--max", $"kld.mean_kld={between}", "--min", "kld.top1_agreement=0.5");
        Assert.True(pass.ExitCode == 0, pass.ToString());
        Assert.Contains("2 passed, 0 failed", pass.Stdout);
        var fail = CliRun.InProcess("check", "--current", heavyRun, "--max", $"kld.mean_kld={between}", "--junit", Path.Combine(_root, "gate.xml"));
        Assert.True(fail.ExitCode == 1, fail.ToString());
        Assert.Contains("beyond the limit", fail.Stdout);
        Assert.Contains("against base stories260K", fail.Stdout);
        Assert.Contains("<failure", File.ReadAllText(Path.Combine(_root, "gate.xml")));
        // A limit on a metric the results do not have cannot be checked: exit 2.
        Assert.Equal(2, CliRun.InProcess("check", "--current", slightRun, "--max", "kld.no_such_metric=1").ExitCode);

        // Against a baseline kld run: the heavy copy drifts significantly further than the slight one did.
        var regressed = CliRun.InProcess("check", "--baseline", slightRun, "--current", heavyRun, "--json").Json();
        var meanKld = regressed.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("metric").GetString() == "mean_kld");
        Assert.True(meanKld.GetProperty("failed").GetBoolean(), meanKld.ToString());
        Assert.True(meanKld.GetProperty("lower_is_better").GetBoolean());
        var held = CliRun.InProcess("check", "--baseline", heavyRun, "--current", slightRun, "--json").Json();
        Assert.Equal(0, held.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public void Kld_runs_against_another_base_are_not_compared()
    {
        var (slight, heavy) = Perturbed();
        string a = Kld(slight, Path.Combine(_root, "a"));
        var run = CliRun.InProcess("kld", "--base", slight, "--model", heavy, "--limit", "2", "-o", Path.Combine(_root, "b"), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var check = CliRun.InProcess("check", "--baseline", Path.GetDirectoryName(a)!, "--current", Path.GetDirectoryName(run.Json().GetProperty("result").GetString())!);
        Assert.True(check.ExitCode == 2, check.ToString());
        Assert.Contains("base_model", check.Stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
