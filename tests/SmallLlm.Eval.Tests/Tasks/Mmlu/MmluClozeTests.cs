using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Tests.Tasks.Mmlu;

/// <summary>
/// mmlu_cloze against requests built by an independent Python re-statement of lighteval's SmolLM
/// <c>mmlu_cloze_prompt</c> over the bundled MMLU files (tests/fixtures/mmlu_cloze), and its acc / acc_norm on
/// hand-chosen log-likelihoods.
/// </summary>
public sealed class MmluClozeTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.Load(RepoPaths.Tasks);

    private static TaskSettings Settings(int limit) => new()
    {
        Limit = limit, Options = new Dictionary<string, string> { ["subjects"] = "abstract_algebra,high_school_european_history,world_religions" },
    };

    [Fact]
    public void Every_request_is_lightevals_cloze_query_and_answer_text_byte_for_byte()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "mmlu_cloze", "lighteval_cloze_prompts.json")));
        var expected = fixture.RootElement.GetProperty("cases").EnumerateArray()
            .SelectMany(c => c.GetProperty("continuations").EnumerateArray().Select(x => (c.GetProperty("query").GetString()!, x.GetString()!)))
            .ToList();
        using var model = LocalModelLoader.Load("stories260K");
        var plan = Registry.Create("mmlu_cloze").Plan(model, Settings(3));
        var actual = plan.Requests.Cast<LoglikelihoodRequest>().Select(r => (r.Context, r.Continuation)).ToList();
        Assert.Equal(36, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal("cloze", plan.Settings["formulation"]);
    }

    [Fact]
    public void Acc_takes_the_likeliest_answer_and_acc_norm_the_likeliest_per_character()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var plan = Registry.Create("mmlu_cloze").Plan(model, new TaskSettings
        {
            Limit = 1, Options = new Dictionary<string, string> { ["subjects"] = "abstract_algebra" },
        });
        // The first question's answers are "0", "4", "2", "6" (gold B = "4"), all one character: acc_norm = acc here.
        var scores = plan.Score([.. new[] { -2.0, -1.0, -3.0, -4.0 }.Select(l => new LoglikelihoodResponse(l, false, 1, false))]);
        Assert.Equal(1.0, scores.Metrics["acc"].Value);
        Assert.Equal(1.0, scores.Metrics["acc_norm"].Value);
        Assert.True(scores.Declarations["acc_norm"].Headline);
    }

    [Fact]
    public void Acc_norm_divides_by_the_answers_length_in_characters_without_its_leading_space()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var plan = Registry.Create("mmlu_cloze").Plan(model, new TaskSettings
        {
            Limit = 1, Options = new Dictionary<string, string> { ["subjects"] = "world_religions" },
        });
        var requests = plan.Requests.Cast<LoglikelihoodRequest>().ToList();
        int[] chars = [.. requests.Select(r => r.Continuation[1..].EnumerateRunes().Count())];
        int longest = Array.IndexOf(chars, chars.Max());
        // Every answer at -1 nat per character, the longest one at -0.9: only per-character scoring picks it, and
        // the shortest wins on raw log-likelihood.
        var lls = chars.Select((n, j) => j == longest ? -0.9 * n : -1.0 * n).ToArray();
        var scores = plan.Score([.. lls.Select(l => new LoglikelihoodResponse(l, false, 1, false))]);
        using var fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "mmlu_cloze", "lighteval_cloze_prompts.json")));
        int gold = fixture.RootElement.GetProperty("cases").EnumerateArray().First(c => c.GetProperty("subject").GetString() == "world_religions").GetProperty("gold").GetInt32();
        Assert.Equal(longest == gold ? 1.0 : 0.0, scores.Metrics["acc_norm"].Value);
        Assert.Equal(Array.IndexOf(chars, chars.Min()) == gold ? 1.0 : 0.0, scores.Metrics["acc"].Value);
        Assert.Equal(((char)('A' + longest)).ToString(), scores.Samples[0]["prediction_norm"]);
    }

    [Fact]
    public void Shots_are_refused_for_the_cloze_formulation()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var e = Assert.Throws<ArgumentException>(() => Registry.Create("mmlu_cloze").Plan(model, Settings(1) with { NumFewshot = 5 }));
        Assert.Contains("0-shot only", e.Message, StringComparison.Ordinal);
    }
}
