using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>An eval against `smalleval serve` on loopback through the remote backend gives the in-process engine's per-sample results.</summary>
public class RemoteBackendTests
{
    /// <summary>A tasks folder with the repository's MMLU, ARC and perplexity tasks and HumanEval on a short budget
    /// (40 tokens, two samples at temperature 0.7 so that seeds are exercised too).</summary>
    private static string TasksFolder(string root)
    {
        string repoTasks = ProjectTasks();
        string dir = Path.Combine(root, "tasks");
        Directory.CreateDirectory(dir);
        foreach (var t in new[] { "mmlu", "arc", "perplexity" })
            Directory.CreateSymbolicLink(Path.Combine(dir, t), Path.Combine(repoTasks, t));
        string he = Path.Combine(dir, "humaneval");
        Directory.CreateDirectory(he);
        File.CreateSymbolicLink(Path.Combine(he, "HumanEval.jsonl.gz"), Path.Combine(repoTasks, "humaneval", "HumanEval.jsonl.gz"));
        File.WriteAllText(Path.Combine(he, "humaneval.task.json"), File.ReadAllText(Path.Combine(repoTasks, "humaneval", "humaneval.task.json"))
            .Replace("\"max_tokens\": 512", "\"max_tokens\": 40").Replace("\"n\": 1", "\"n\": 2").Replace("\"temperature\": 0,", "\"temperature\": 0.7,"));
        return dir;
    }

    private static string ProjectTasks()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SmallLlm.Eval.sln"))) return Path.Combine(d.FullName, "tasks");
        throw new DirectoryNotFoundException("the repository's tasks folder");
    }

    /// <summary>An eval run through the library (what `smalleval eval` does), on the built-in engine or on <paramref name="load"/>'s model.</summary>
    private static string Eval(string tasks, string output, Func<EvalJobSpec, ILanguageModel>? load)
    {
        var settings = new TaskSettings { Limit = 3, Options = new Dictionary<string, string> { ["subjects"] = "astronomy,virology" } };
        var results = EvalJob.Run(new EvalJobSpec
        {
            Model = "stories260K",
            Tasks = ["mmlu", "arc_easy", "tinystories_ppl", "humaneval"],
            TasksDirectory = tasks,
            OutputDirectory = output,
            SettingsFor = _ => settings,
            LoadModel = load,
        }, TextWriter.Null, _ => IProgressSink.None);
        return results.RunDirectory;
    }

    [Fact]
    public async Task Remote_eval_equals_in_process_on_mmlu_arc_perplexity_and_human_eval()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-remote-").FullName;
        try
        {
            string tasks = TasksFolder(root);
            string local = Eval(tasks, Path.Combine(root, "local"), null);
            await using var s = await LoopbackServer.StartAsync();
            var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
            string remote = Eval(tasks, Path.Combine(root, "remote"), _ => RemoteLanguageModel.Connect(
                new RemoteOptions { BaseUrl = s.Server.Url + "/v1", Model = "stories260K", Concurrency = 3, BatchSize = 5 }, tok));
            Assert.True(s.Server.Queue.Batches > 0);
            string[] files = ["mmlu.samples.jsonl", "arc_easy.samples.jsonl", "tinystories_ppl.samples.jsonl", "humaneval.samples.jsonl"];
            foreach (var f in files) SampleComparison.AssertSame(Path.Combine(local, f), Path.Combine(remote, f));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Server_without_prompt_logprobs_or_model_fails_clearly()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        var e = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(new RemoteOptions { BaseUrl = s.Server.Url + "/v1", Model = "gpt-none" }, tok));
        Assert.Contains("has no model 'gpt-none'", e.Message);
        // Nothing listens on a freed port: retries, then a message naming the URL.
        int port = LoopbackPort.Free();
        var down = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(
            new RemoteOptions { BaseUrl = $"http://127.0.0.1:{port}/v1", MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }, tok));
        Assert.Contains($"127.0.0.1:{port}/v1/models: no answer after 2 retries", down.Message);
    }
}
