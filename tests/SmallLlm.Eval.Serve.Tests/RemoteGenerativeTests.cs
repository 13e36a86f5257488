using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>generate_until tasks through the remote backend against `smalleval serve` on loopback give the in-process
/// engine's samples: the same prompts (hashes), generations, cut texts, answers and exact_match.</summary>
public class RemoteGenerativeTests
{
    private static string Eval(string task, string output, TaskSettings settings, Func<EvalJobSpec, ILanguageModel>? load) =>
        EvalJob.Run(new EvalJobSpec
        {
            Model = "stories260K",
            Tasks = [task],
            TasksDirectory = RepoPaths.Tasks,
            OutputDirectory = output,
            SettingsFor = _ => settings,
            LoadModel = load,
        }, TextWriter.Null, _ => IProgressSink.None).RunDirectory;

    [Theory]
    [InlineData("arith", null)]
    [InlineData("gsm8k", "tests/fixtures/generative/gsm8k_layout")]
    public async Task A_generative_task_through_serve_gives_the_in_process_samples(string task, string? dataDir)
    {
        string root = Directory.CreateTempSubdirectory("smalleval-remote-gen-").FullName;
        try
        {
            // A short budget keeps the test quick; the prompts are still cut to leave room for it, as lm-eval cuts them.
            var settings = new TaskSettings
            {
                Limit = 3, DataDir = dataDir is null ? null : Path.Combine(RepoPaths.Root, dataDir),
                Options = new Dictionary<string, string> { ["max_gen_toks"] = "24" },
            };
            string local = Eval(task, Path.Combine(root, "local"), settings, null);
            await using var s = await LoopbackServer.StartAsync();
            var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
            string remote = Eval(task, Path.Combine(root, "remote"), settings, _ => RemoteLanguageModel.Connect(
                new RemoteOptions { BaseUrl = s.Server.Url + "/v1", Model = "stories260K", Concurrency = 3 }, tok));
            string file = task + ".samples.jsonl";
            Assert.Equal(3, File.ReadAllLines(Path.Combine(local, file)).Length);
            SampleComparison.AssertSame(Path.Combine(local, file), Path.Combine(remote, file));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
