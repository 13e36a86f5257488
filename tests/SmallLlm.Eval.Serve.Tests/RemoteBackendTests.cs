using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>`eval --model openai-completions:URL` against `smalleval serve` on loopback gives the in-process engine's per-sample results.</summary>
public class RemoteBackendTests
{
    /// <summary>A tasks folder with the repository's MMLU, ARC and perplexity tasks and HumanEval on a short budget
    /// (40 tokens, two samples at temperature 0.7 so that seeds are exercised too).</summary>
    internal static string TasksFolder(string root)
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

    [Fact]
    public async Task Remote_eval_equals_in_process_on_mmlu_arc_perplexity_and_human_eval()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-remote-").FullName;
        try
        {
            string tasks = TasksFolder(root);
            string[] common = ["--tasks", "mmlu,arc_easy,tinystories_ppl,humaneval", "--subjects", "astronomy,virology", "--limit", "3",
                "--tasks-dir", tasks, "--no-cache", "--json"];
            var local = CliRun.InProcess(["eval", "--model", "stories260K", "-o", Path.Combine(root, "local"), .. common]);
            Assert.True(local.ExitCode == 0, local.ToString());
            await using var s = await LoopbackServer.StartAsync();
            var remote = CliRun.InProcess(["eval", "--model", $"openai-completions:{s.Server.Url}/v1", "--remote-model", "stories260K",
                "--concurrency", "3", "--prompts-per-request", "5", "-o", Path.Combine(root, "remote"), .. common]);
            Assert.True(remote.ExitCode == 0, remote.ToString());
            Assert.True(s.Server.Queue.Batches > 0);
            string[] files = ["mmlu.samples.jsonl", "arc_easy.samples.jsonl", "tinystories_ppl.samples.jsonl", "humaneval.samples.jsonl"];
            foreach (var f in files)
                SampleComparison.AssertSame(Path.Combine(RunResults.LatestRun(Path.Combine(root, "local")), f), Path.Combine(RunResults.LatestRun(Path.Combine(root, "remote")), f));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Server_without_prompt_logprobs_or_model_fails_clearly()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalLanguageModel.ResolveTokenizer("stories260K", null);
        var e = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(new RemoteOptions { BaseUrl = s.Server.Url + "/v1", Model = "gpt-none" }, tok));
        Assert.Contains("has no model 'gpt-none'", e.Message);
        // Nothing listens on a freed port: retries, then a message naming the URL.
        int port = FreePort();
        var down = Assert.Throws<RemoteModelException>(() => RemoteLanguageModel.Connect(
            new RemoteOptions { BaseUrl = $"http://127.0.0.1:{port}/v1", MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }, tok));
        Assert.Contains($"127.0.0.1:{port}/v1/models: no answer after 2 retries", down.Message);
    }

    internal static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
