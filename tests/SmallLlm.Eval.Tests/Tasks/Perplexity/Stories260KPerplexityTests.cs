using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Perplexity;

namespace SmallLlm.Eval.Tests.Tasks.Perplexity;

/// <summary>The perplexity task through the real stories260K against llama2.c's reference NLLs (s260_33).</summary>
public sealed class Stories260KPerplexityTests : IDisposable
{
    // The first 32 tokens after BOS of meta.json's prompt_text (the reference scores BOS + 32 tokens).
    private const string Reference32 = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One";
    private readonly string _dir = Directory.CreateTempSubdirectory("ppl-s260-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TaskDefinition Definition(string split = "file") => new("ppl_test", "perplexity", "1", "test",
        Path.Combine(Path.GetTempPath(), "ppl_test.task.json"),
        new System.Text.Json.Nodes.JsonObject { ["data"] = "unused", ["split"] = split });

    private TaskScores Run(LocalLanguageModel model, string dataPath, string split = "file")
    {
        var task = new PerplexityTask(Definition(split));
        var plan = task.Plan(model, new TaskSettings { DataDir = dataPath });
        var responses = model.LoglikelihoodRolling(plan.Requests.Cast<RollingLoglikelihoodRequest>().ToList(), IProgressSink.None);
        return plan.Score(responses);
    }

    [SkippableFact]
    public void Per_token_nll_of_s260_33_matches_llama2c()
    {
        var meta = JsonDocument.Parse(File.ReadAllText(SharedFiles.Get("models/stories260K/reference/s260_33/meta.json"))).RootElement;
        double[] nll = meta.GetProperty("nll_per_position").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int[] ids = meta.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        using var model = LocalModelLoader.Load("stories260K");
        Assert.Equal(ids[1..], model.Tokenizer.Encode(Reference32));

        string file = Path.Combine(_dir, "s260.txt");
        File.WriteAllText(file, Reference32);
        var whole = Run(model, file);
        Assert.Equal(32, whole.Counts["tokens"]);
        Assert.Equal(meta.GetProperty("mean_nll").GetDouble(), whole.Metrics["nll_per_token"].Value, 1e-5);
        Assert.Equal(Math.Exp(meta.GetProperty("mean_nll").GetDouble()), whole.Metrics["token_perplexity"].Value, 1e-4);

        // Per position: documents that are the text of the first k tokens; NLL_k = sum_k − sum_(k−1). Each prefix is
        // checked to tokenize to exactly the reference's first k ids, so the difference is that one token's NLL.
        var prefixes = Enumerable.Range(1, 32).Select(k => model.Tokenizer.Decode(ids[1..(k + 1)]).TrimStart(' ')).ToList();
        for (int k = 1; k <= 32; k++) Assert.Equal(ids[1..(k + 1)], model.Tokenizer.Encode(prefixes[k - 1]));
        string folder = Path.Combine(_dir, "prefixes");
        Directory.CreateDirectory(folder);
        for (int k = 1; k <= 32; k++) File.WriteAllText(Path.Combine(folder, $"{k:D2}.txt"), prefixes[k - 1]);
        var perPrefix = Run(model, folder);
        var sums = perPrefix.Samples.Select(s => -(double)s["loglikelihood"]!).ToArray();
        for (int k = 0; k < 32; k++)
            Assert.Equal(nll[k], sums[k] - (k == 0 ? 0 : sums[k - 1]), 1e-4);
    }

    [Fact]
    public void Documents_longer_than_the_context_are_scored_in_rolling_windows_with_and_without_stride()
    {
        // About 3,000 tokens of tiny-shakespeare: six windows of stories260K's 512-token context.
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tasks", "perplexity", "data", "tinyshakespeare.txt"))[..6000];
        string file = Path.Combine(_dir, "long.txt");
        File.WriteAllText(file, text);
        using var disjoint = LocalModelLoader.Load("stories260K");
        using var strided = LocalModelLoader.Load("stories260K", new LocalModelOptions { RollingStride = 256 });
        int tokens = disjoint.Tokenizer.Encode(text).Count;
        Assert.True(tokens > 2 * disjoint.ContextLength, $"{tokens} tokens");
        var a = Run(disjoint, file);
        var b = Run(strided, file);
        Assert.Equal(tokens, a.Counts["tokens"]);
        Assert.Equal(tokens, b.Counts["tokens"]);
        double nllA = a.Metrics["nll_per_token"].Value, nllB = b.Metrics["nll_per_token"].Value;
        // Shakespeare is far from TinyStories: a high but finite NLL; overlapping windows give every scored token at
        // least 256 tokens of context, which changes the figure a little, not wholesale.
        Assert.InRange(nllA, 2.0, 6.0);
        Assert.NotEqual(nllA, nllB);
        Assert.InRange(Math.Abs(nllA - nllB), 1e-6, 0.2);
    }
}
