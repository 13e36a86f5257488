using System.Text.Json;
using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;
using SmallLlm.Eval.Tasks.MultipleChoice;

namespace SmallLlm.Eval.Tests.Tasks.Kit;

/// <summary>
/// <see cref="FewshotSampler{T}"/> and <see cref="FewshotContext"/> against prompts built by an independent Python
/// script with lm-eval's rules and CPython's <c>random.Random(1234)</c> (tests/fixtures/fewshot/make_fixtures.py) on
/// the bundled ARC and PIQA files: both of <c>sample</c>'s algorithms, the k + 1 draw with the evaluated document
/// removed, and <c>first_n</c>.
/// </summary>
public sealed class FewshotSamplerTests
{
    public static readonly string FixturePath = Path.Combine(RepoPaths.Root, "tests", "fixtures", "fewshot", "lm_eval_prompts.json");

    /// <summary>One case of the fixture: the files, counts, k, lm-eval's split rule and the expected prompts.</summary>
    public sealed record FixtureCase(string Name, string Eval, int Evaluate, string FewshotFile, int? Fewshot, int K,
        bool SameSplit, string Template, string Sampler, IReadOnlyList<string> Prompts);

    public static IReadOnlyList<FixtureCase> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new FixtureCase(
            c.GetProperty("name").GetString()!, c.GetProperty("eval").GetString()!, c.GetProperty("evaluate").GetInt32(),
            c.GetProperty("fewshot_file").GetString()!,
            c.GetProperty("fewshot").ValueKind == JsonValueKind.Null ? null : c.GetProperty("fewshot").GetInt32(),
            c.GetProperty("k").GetInt32(), c.GetProperty("same_split").GetBoolean(), c.GetProperty("template").GetString()!,
            c.GetProperty("sampler").GetString()!,
            c.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToList())).ToList();
    }

    private static List<MultipleChoiceDocument> Read(string relative, int? count)
    {
        var docs = MultipleChoiceFormats.Read("llmfoundry", Path.Combine(RepoPaths.Tasks, relative), new DataIssues(strict: true));
        return count is int n ? docs.Take(n).ToList() : docs;
    }

    [Fact]
    public void Sampled_prompts_are_byte_identical_to_lm_evals_rules_run_by_CPython()
    {
        var cases = Cases();
        Assert.Equal(4, cases.Count);
        foreach (var c in cases)
        {
            var sampler = new FewshotSampler<MultipleChoiceDocument>(Read(c.FewshotFile, c.Fewshot),
                FewshotSampler<MultipleChoiceDocument>.ParseSampling(c.Sampler, c.Name), c.SameSplit, (a, b) => a.SameRecordAs(b));
            var evaluated = Read(c.Eval, c.Evaluate);
            string Text(MultipleChoiceDocument d) => c.Template.Replace("{query}", d.Query, StringComparison.Ordinal);
            for (int i = 0; i < evaluated.Count; i++)
            {
                var shots = sampler.Draw(evaluated[i], c.K).Select(s => new FewshotExample(Text(s), s.Choices[s.Gold]));
                string prompt = FewshotContext.Build("", shots, " ", "\n\n", Text(evaluated[i]));
                Assert.True(c.Prompts[i] == prompt, $"{c.Name}, document {i}: lm-eval's prompt differs from ours");
            }
        }
    }

    [Fact]
    public void An_evaluated_document_drawn_among_its_own_shots_is_removed_when_the_splits_are_the_same()
    {
        var docs = Read("piqa/piqa.jsonl", 12);
        var sampler = new FewshotSampler<MultipleChoiceDocument>(docs, FewshotSampling.Random, true, (a, b) => a.SameRecordAs(b));
        var mirror = new PythonRandom(FewshotSampler<MultipleChoiceDocument>.DefaultSeed); // the same draws, unfiltered
        int drawnItself = 0;
        foreach (var d in docs)
        {
            bool drawn = mirror.Sample(docs, 6).Contains(d);
            drawnItself += drawn ? 1 : 0;
            var shots = sampler.Draw(d, 5);
            Assert.Equal(5, shots.Count);
            Assert.DoesNotContain(shots, s => s.SameRecordAs(d));
        }
        Assert.Equal(5, drawnItself); // CPython: 5 of these 12 documents draw themselves among their 6
    }

    [Fact]
    public void Zero_shots_draw_nothing_and_too_few_documents_are_refused()
    {
        var docs = Read("piqa/piqa.jsonl", 6);
        var a = new FewshotSampler<MultipleChoiceDocument>(docs, FewshotSampling.Random, false, (x, y) => x.SameRecordAs(y));
        var b = new FewshotSampler<MultipleChoiceDocument>(docs, FewshotSampling.Random, false, (x, y) => x.SameRecordAs(y));
        Assert.Empty(a.Draw(docs[0], 0));
        Assert.Equal(b.Draw(docs[1], 3), a.Draw(docs[1], 3)); // the 0-shot call left a's generator untouched
        var sameSplit = new FewshotSampler<MultipleChoiceDocument>(docs, FewshotSampling.Random, true, (x, y) => x.SameRecordAs(y));
        var e = Assert.Throws<ArgumentException>(() => sameSplit.Draw(docs[0], 6));
        Assert.Contains("need 7 few-shot documents", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => FewshotSampler<int>.ParseSampling("balanced", "t.task.json"));
    }

    [Fact]
    public void Examples_without_a_target_get_no_delimiters_and_the_description_comes_first()
    {
        string prompt = FewshotContext.Build("Desc.\n\n", [new("Q1", "A1"), new("Q2", "")], " ", "\n\n", "Q3");
        Assert.Equal("Desc.\n\nQ1 A1\n\nQ2Q3", prompt);
    }
}
