using SmallLlm.Eval.Serve.Tests;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`smalleval probe` and the probe-on-connect rule of `eval`, against `smalleval serve`'s server and a scripted
/// server that ignores echo, both on 127.0.0.1.</summary>
public sealed class ProbeCommandTests : IDisposable
{
    private readonly string _dir = RepoPaths.Temp("probe-command");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Probe_passes_smalleval_serve_on_every_capability_and_exits_0()
    {
        await using var s = await LoopbackServer.StartAsync();
        var run = CliRun.InProcess("probe", $"openai-completions:{s.Server.Url}/v1", "--reference", "stories260K", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.True(json.GetProperty("passed").GetBoolean());
        var checks = json.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(11, checks.Count);
        Assert.All(checks, c => Assert.True(c.GetProperty("outcome").GetString() == "pass", c.ToString()));

        var text = CliRun.InProcess("probe", $"openai-completions:{s.Server.Url}/v1");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("PASS  echo honoured", text.Stdout);
        Assert.Contains("SKIP  log-probabilities match the reference  no --reference MODEL given", text.Stdout);
    }

    [Fact]
    public async Task Probe_fails_a_server_that_ignores_echo_with_exit_1_and_the_evidence()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.IgnoresEcho);
        var run = CliRun.InProcess("probe", $"openai-completions:{s.Url}/v1", "-t", "tok512");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("FAIL  echo honoured                          1 tokens echoed for a prompt of 16", run.Stdout);
        Assert.Contains("PASS  stop honoured", run.Stdout);
    }

    [Fact]
    public async Task Eval_of_a_log_likelihood_task_on_a_server_that_ignores_echo_exits_2_naming_the_capability()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.IgnoresEcho);
        var run = CliRun.InProcess("eval", "-m", $"openai-completions:{s.Url}/v1", "-t", "tok512", "--tasks", "arc_easy", "--limit", "3",
            "--max-retries", "0", "--no-cache", "-o", _dir);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("fails the probe 'echo honoured with prompt log-probabilities'", run.Stderr);
        Assert.Empty(Directory.EnumerateFiles(_dir, "arc_easy.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Eval_without_a_tokenizer_scores_with_the_servers_own_as_the_engine_does()
    {
        string local = Path.Combine(_dir, "local"), remote = Path.Combine(_dir, "remote");
        string[] common = ["--tasks", "arc_easy", "--limit", "3", "--no-cache"];
        Assert.Equal(0, CliRun.InProcess(["eval", "-m", "stories260K", "-o", local, .. common]).ExitCode);
        await using var s = await LoopbackServer.StartAsync();
        var run = CliRun.InProcess(["eval", "-m", $"openai-completions:{s.Server.Url}/v1", "-o", remote, .. common]);
        Assert.True(run.ExitCode == 0, run.ToString());
        SampleComparison.AssertSame(RunResults.Samples(local, "arc_easy"), RunResults.Samples(remote, "arc_easy"));
    }
}
