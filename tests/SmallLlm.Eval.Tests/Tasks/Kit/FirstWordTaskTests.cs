using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tests.Tasks.Suite;

namespace SmallLlm.Eval.Tests.Tasks.Kit;

/// <summary>The README's example kind, loaded as a plugin and run on stories260K: the kit's plumbing end to end.</summary>
public class FirstWordTaskTests
{
    [Fact]
    public void The_readme_example_kind_runs_as_a_plugin_and_scores_as_a_plain_forward_pass()
    {
        string tasks = RepoPaths.Temp("tasks"), plugins = RepoPaths.Temp("plugins");
        File.WriteAllText(Path.Combine(tasks, "words.jsonl"), "{\"text\":\"Once upon a\",\"word\":\"time\"}\n{\"text\":\"The cat sat on the\",\"word\":\"mat\"}\n");
        File.WriteAllText(Path.Combine(tasks, "words.task.json"), "{\"name\":\"words\",\"kind\":\"first_word\",\"data\":\"words.jsonl\"}");
        File.Copy(typeof(FirstWordTaskKind).Assembly.Location, Path.Combine(plugins, "FirstWord.dll"));
        using var model = LocalModelLoader.Load("stories260K");
        var plan = TaskRegistry.Load(tasks, plugins).Create("words").Plan(model, new TaskSettings());
        Assert.Equal(["Once upon a", "The cat sat on the"], plan.Requests.Cast<LoglikelihoodRequest>().Select(r => r.Context));
        var (scores, byHand) = PlainForwardPass.Run(model, plan);
        Assert.Equal(byHand.Count(x => x.IsGreedy) / 2.0, scores.Metrics["acc"].Value, 12);
        Assert.True(scores.Declarations["acc"].Headline);
        Assert.Equal(["doc_id", "word", "loglikelihood", "correct"], scores.Samples[0].Keys);
    }

    private sealed record Typed(int DocId, string PromptSha256, double[] Loglikelihoods, bool CorrectNorm);

    [Fact]
    public void Typed_sample_records_become_snake_case_fields_in_declaration_order()
    {
        var fields = SmallLlm.Eval.Tasks.Kit.SampleRecord.Of(new Typed(3, "ab12", [-1.5], true));
        Assert.Equal(["doc_id", "prompt_sha256", "loglikelihoods", "correct_norm"], fields.Keys);
        Assert.Equal(3, fields["doc_id"]);
        Assert.Equal(true, fields["correct_norm"]);
    }
}
