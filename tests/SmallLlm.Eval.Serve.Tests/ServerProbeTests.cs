using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>`smalleval probe`'s checks, and the same rules on connect, against the real `smalleval serve` and against
/// scripted servers that misbehave as real ones do.</summary>
public class ServerProbeTests
{
    /// <summary>The probe's own texts, each split before its last word.</summary>
    private static readonly LoglikelihoodRequest[] Requests = [.. ServerProbe.Texts.Take(2).Select(t => new LoglikelihoodRequest(t[..t.LastIndexOf(' ')], t[t.LastIndexOf(' ')..]))];

    private static RemoteOptions Options(string url) => new()
    {
        BaseUrl = url + "/v1", Model = "stories260K", MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task Smalleval_serve_passes_every_probe_against_the_in_process_reference()
    {
        await using var s = await LoopbackServer.StartAsync();
        using var reference = LocalModelLoader.Load("stories260K");
        var report = new ServerProbe(Options(s.Server.Url), reference.Tokenizer, reference).Run();
        var all = string.Join("\n", report.Checks.Select(c => $"{c.Outcome} {c.Capability}: {c.Evidence}"));
        Assert.True(report.Passed, all);
        Assert.Equal(11, report.Checks.Count);
        Assert.All(report.Checks, c => Assert.True(c.Outcome == ProbeOutcome.Pass, all));
    }

    [Fact]
    public async Task The_probe_fails_a_server_that_ignores_echo_and_says_so()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.IgnoresEcho);
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        var report = new ServerProbe(Options(s.Url), tok, null).Run();
        Assert.False(report.Passed);
        var echo = report.Checks.Single(c => c.Capability == ServerProbe.Echo);
        Assert.Equal(ProbeOutcome.Fail, echo.Outcome);
        Assert.Contains("1 tokens echoed for a prompt of", echo.Evidence);
        Assert.Equal(ProbeOutcome.Fail, report.Checks.Single(c => c.Capability == ServerProbe.PromptLogProbs).Outcome);
        // Generation does not need echo: those checks still pass.
        Assert.Equal(ProbeOutcome.Pass, report.Checks.Single(c => c.Capability == ServerProbe.Stop).Outcome);
    }

    [Fact]
    public async Task On_a_server_that_ignores_echo_generation_runs_and_log_likelihood_is_refused_naming_the_capability()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.IgnoresEcho);
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        using var remote = RemoteLanguageModel.Connect(Options(s.Url), tok);
        Assert.NotNull(remote.EchoProblem);
        var e = Assert.Throws<RemoteModelException>(() => remote.Loglikelihood(Requests, IProgressSink.None));
        Assert.Contains("fails the probe 'echo honoured with prompt log-probabilities'", e.Message);
        Assert.Throws<RemoteModelException>(() => remote.LoglikelihoodRolling([new("Once upon a time.")], IProgressSink.None));

        GenerateRequest[] gen = [new("Lily wanted a puppy", ["."], MaxTokens: 12, Temperature: 0, Seed: 1)];
        using var local = LocalModelLoader.Load("stories260K");
        var expected = local.GenerateUntil(gen, IProgressSink.None)[0].Text;
        Assert.Equal(expected, remote.GenerateUntil(gen, IProgressSink.None)[0].Text);
        Assert.StartsWith(" ", expected); // decoded after the prompt: the first word keeps its space
    }

    [Fact]
    public async Task An_eval_of_a_log_likelihood_task_on_a_server_that_ignores_echo_stops_with_the_capability_and_writes_no_score()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.IgnoresEcho);
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        string root = Directory.CreateTempSubdirectory("smalleval-probe-").FullName;
        try
        {
            var e = Assert.Throws<RemoteModelException>(() => EvalJob.Run(new EvalJobSpec
            {
                Model = "stories260K",
                Tasks = ["arc_easy"],
                TasksDirectory = RepoPaths.Tasks,
                OutputDirectory = root,
                SettingsFor = _ => new TaskSettings { Limit = 3 },
                LoadModel = _ => RemoteLanguageModel.Connect(Options(s.Url), tok),
            }, TextWriter.Null, _ => IProgressSink.None));
            Assert.Contains("echo honoured", e.Message);
            Assert.Empty(Directory.EnumerateFiles(root, "arc_easy.json*", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData(Fault.OmitsTopLogprobs, "'logprobs.top_logprobs' is missing: is-greedy cannot be decided")]
    [InlineData(Fault.PositiveLogprobs, "is positive: not a log-probability")]
    [InlineData(Fault.ShiftedLogprobs, "expected null (the first token has no context): the log-probabilities are shifted")]
    [InlineData(Fault.MalformedLogprob, "token_logprobs[1] is \"-0.5\", expected a finite number")]
    public async Task A_server_that_spoils_the_echoed_answer_is_a_named_error_never_a_score(Fault fault, string expected)
    {
        await using var s = await MisbehavingServer.StartAsync(fault);
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        using var remote = RemoteLanguageModel.Connect(Options(s.Url), tok);
        Assert.NotNull(remote.EchoProblem); // found on connect already
        var e = Assert.Throws<RemoteModelException>(() => remote.Loglikelihood(Requests, IProgressSink.None));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_tgi_style_500_body_is_a_named_error_with_the_servers_reason()
    {
        await using var s = await MisbehavingServer.StartAsync(Fault.Tgi500);
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        var e = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(Options(s.Url), tok));
        Assert.Contains("HTTP 500 after 1 retries: Request failed during generation: Server error: CUDA out of memory (generation)", e.Message);
    }

    [Fact]
    public async Task Without_a_tokenizer_the_servers_own_is_used_and_scores_like_the_engine()
    {
        await using var s = await LoopbackServer.StartAsync();
        using var remote = RemoteLanguageModel.Connect(Options(s.Server.Url), tokenizer: null);
        Assert.StartsWith("server:http://127.0.0.1:", remote.Tokenizer.Name);
        using var local = LocalModelLoader.Load("stories260K");
        Assert.Equal(local.Tokenizer.BosId, remote.Tokenizer.BosId);
        Assert.Equal(local.Tokenizer.EosId, remote.Tokenizer.EosId);
        ScoreComparison.AssertSameAsEngine(local, remote, Requests);
    }

    [Fact]
    public async Task Without_a_tokenizer_a_server_with_no_tokenizer_endpoints_is_refused_clearly()
    {
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        await using var server = await TextOnlyServer.StartAsync(tok);
        var e = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(Options(server.Url), tokenizer: null));
        Assert.Contains("no tokenizer given and the server does not expose its own", e.Message);
        Assert.Contains("pass --tokenizer", e.Message);
    }
}
