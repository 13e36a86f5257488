using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using TorchSharp;

namespace SmallLlm.Eval.Tests.Tasks.Mmlu;

/// <summary>MMLU through the real engine: every answer's log-likelihood equals a plain forward pass scored by hand.</summary>
public class MmluScoringTests
{
    [Fact]
    public void Loglikelihoods_of_the_four_letters_equal_a_plain_forward_pass()
    {
        using var model = LocalModelLoader.Load("stories260K");
        var task = TaskRegistry.Load(RepoPaths.Tasks).Create("mmlu");
        var plan = task.Plan(model, new TaskSettings { Limit = 2, Options = new Dictionary<string, string> { ["subjects"] = "anatomy,virology" } });
        Assert.Equal(4, plan.Documents);
        Assert.Equal(16, plan.Requests.Count);
        var requests = plan.Requests.Cast<LoglikelihoodRequest>().ToList();
        var answers = model.Loglikelihood(requests, IProgressSink.None);
        for (int i = 0; i < requests.Count; i++)
        {
            var (ctx, cont) = model.Prompts.EncodePair(requests[i].Context, requests[i].Continuation);
            Assert.InRange(cont.Length, 1, 2); // tok512 spells most of " A".." D" as "▁" + letter: the shared-context KV-cache path
            Assert.Equal(1, ctx[0]); // BOS first
            int[] seq = [.. ctx, .. cont];
            if (seq.Length - 1 > model.ContextLength) seq = seq[^(model.ContextLength + 1)..];
            double expected = ContinuationLogProb(model, seq, cont.Length);
            Assert.Equal(expected, answers[i].LogLikelihood, 1e-4);
        }
        var scores = plan.Score(answers);
        Assert.Equal(4, scores.Samples.Count);
        Assert.Equal(scores.Samples.Count(s => (bool)s["correct"]!) / 4.0, scores.Metrics["acc"].Value, 12);
    }

    /// <summary>Sum of log-softmax (in double) of the last <paramref name="count"/> tokens, from one plain forward pass.</summary>
    private static double ContinuationLogProb(LocalLanguageModel model, int[] seq, int count)
    {
        using var scope = torch.NewDisposeScope();
        int n = seq.Length - 1;
        var hidden = model.Engine.Hidden(torch.tensor(seq[..n].Select(t => (long)t).ToArray(), [1, n]));
        var all = model.Engine.Logits(hidden).squeeze(0);
        double total = 0;
        for (int pos = n - count; pos < n; pos++)
        {
            var logits = all[pos].data<float>().ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            total += logits[seq[pos + 1]] - max - Math.Log(sum);
        }
        return total;
    }
}
