using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Serve;
using SmallLlm.Eval.Serve.Tests;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// The remote backend (`openai-completions:URL`) beyond `eval`: a run config, a sweep, the CI gate on its results, and
/// the tokenizer-compression task, each against `smalleval serve`'s server on 127.0.0.1, with the in-process engine's
/// per-sample results; `kld` refuses it by name.
/// </summary>
public sealed class RemoteModelCommandTests : IDisposable
{
    private readonly string _dir = RepoPaths.Temp("remote-commands");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Corpus()
    {
        string file = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(file, "Once upon a time there was a little dog. He liked to run in the park.\nThe end.\n");
        return file;
    }

    [Fact]
    public async Task Run_config_on_a_server_equals_the_in_process_engine_and_the_gate_holds()
    {
        string[] tasks = ["arc_easy", "tinystories_ppl"];
        string local = Path.Combine(_dir, "local"), remote = Path.Combine(_dir, "remote");
        var eval = CliRun.InProcess(["eval", "-m", "stories260K", "--tasks", string.Join(",", tasks), "--limit", "3", "-o", local, "--no-cache"]);
        Assert.True(eval.ExitCode == 0, eval.ToString());

        await using var s = await LoopbackServer.StartAsync();
        string config = Path.Combine(_dir, "remote.config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            models = new[] { new { model = $"openai-completions:{s.Server.Url}/v1", remote_model = "stories260K", tokenizer = "tok512" } },
            tasks, limit = 3, output = remote, cache = (string?)null, tasks_dir = RepoPaths.Tasks,
        }));
        var run = CliRun.InProcess("run", "--config", config, "--concurrency", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(s.Server.Queue.Batches > 0, "the server scored nothing");
        foreach (var t in tasks)
            SampleComparison.AssertSame(RunResults.Samples(local, t), RunResults.Samples(remote, t));

        var check = CliRun.InProcess("check", "--baseline", local, "--current", remote, "--json");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("arc_easy", check.Stdout); // compared, not skipped
    }

    [Fact]
    public async Task Tokenizer_compression_on_a_remote_model_counts_with_its_tokenizer()
    {
        string corpus = Corpus();
        string local = Path.Combine(_dir, "local"), remote = Path.Combine(_dir, "remote");
        string[] common = ["--tasks", "tokenizer_compression", "--data-dir", corpus, "--no-cache"];
        Assert.Equal(0, CliRun.InProcess(["eval", "-m", "stories260K", "-o", local, .. common]).ExitCode);
        await using var s = await LoopbackServer.StartAsync();
        var run = CliRun.InProcess(["eval", "-m", $"openai-completions:{s.Server.Url}/v1", "--remote-model", "stories260K", "-o", remote, .. common]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(remote, "tokenizer_compression"))).RootElement;
        Assert.Equal("tok512", result.GetProperty("task").GetProperty("settings").GetProperty("tokenizer").GetString());
        // Independent count: the bundled model's tokenizer over the same bytes.
        var tok512 = LocalModelLoader.ResolveTokenizer("stories260K", null);
        string text = File.ReadAllText(corpus);
        double expected = (double)tok512.CountTokens(text) / System.Text.Encoding.UTF8.GetByteCount(text);
        Assert.Equal(expected, result.GetProperty("metrics").GetProperty("tokens_per_byte").GetProperty("value").GetDouble(), 12);
        SampleComparison.AssertSame(RunResults.Samples(local, "tokenizer_compression"),
            RunResults.Samples(remote, "tokenizer_compression"));
    }

    [Fact]
    public async Task Sweep_on_a_server_that_serves_each_checkpoint_by_name()
    {
        string checkpoints = Path.Combine(_dir, "checkpoints");
        string step = Path.Combine(checkpoints, "step-100");
        var convert = CliRun.InProcess("convert", "--from", "stories260K", "--to", step);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        string[] common = ["sweep", "--checkpoints", checkpoints, "--tasks", "arc_easy", "--limit", "3", "--tokenizer", "tok512"];
        var local = CliRun.InProcess([.. common, "-o", Path.Combine(_dir, "local")]);
        Assert.True(local.ExitCode == 0, local.ToString());

        using var engine = new Engine.LlamaModel(Engine.Checkpoints.CheckpointLoader.Load(step, Engine.ModelDType.Float32));
        await using var server = new CompletionServer(new TorchCompletionEngine(engine, LocalModelLoader.ResolveTokenizer("stories260K", null), "step-100"),
            new ServeOptions { Host = "127.0.0.1", Port = 0 });
        await server.StartAsync();
        var remote = CliRun.InProcess([.. common, "-o", Path.Combine(_dir, "remote"), "--server", $"openai-completions:{server.Url}/v1"]);
        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.True(server.Queue.Batches > 0, "the server scored nothing");
        SampleComparison.AssertSame(RunResults.Samples(Path.Combine(_dir, "local"), "arc_easy"),
            RunResults.Samples(Path.Combine(_dir, "remote"), "arc_easy"));
        Assert.Contains("step-100", remote.Stdout);
    }

    [Fact]
    public void Kld_refuses_a_remote_model_by_name()
    {
        var run = CliRun.InProcess("kld", "--base", "stories260K", "--model", "openai-completions:http://127.0.0.1:9/v1", "--limit", "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("top 20 log-probabilities", run.Stderr);
    }
}
