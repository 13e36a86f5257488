using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using TorchSharp;

namespace SmallLlm.Eval.Tests.Tasks.Suite;

/// <summary>
/// Log-likelihoods computed by hand: one plain forward pass over context + continuation, log-softmax in double, and
/// whether every continuation token is the argmax. Every request of a plan must get the same answer from the model.
/// </summary>
public static class PlainForwardPass
{
    public static (double LogLikelihood, bool IsGreedy) Score(LocalLanguageModel model, LoglikelihoodRequest r)
    {
        var (ctx, cont) = model.Prompts.EncodePair(r.Context, r.Continuation);
        int[] seq = [.. ctx, .. cont];
        if (seq.Length - 1 > model.ContextLength) seq = seq[^(model.ContextLength + 1)..];
        using var scope = torch.NewDisposeScope();
        int n = seq.Length - 1;
        var all = model.Engine.Logits(model.Engine.Hidden(torch.tensor(seq[..n].Select(t => (long)t).ToArray(), [1, n]))).squeeze(0);
        double total = 0;
        bool greedy = true;
        for (int pos = n - cont.Length; pos < n; pos++)
        {
            var logits = all[pos].data<float>().ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            total += logits[seq[pos + 1]] - max - Math.Log(sum);
            greedy &= Array.IndexOf(logits, logits.Max()) == seq[pos + 1];
        }
        return (total, greedy);
    }

    /// <summary>Runs the plan on the model, checks every answer against the plain forward pass, and returns both.</summary>
    public static (TaskScores Scores, List<(double LogLikelihood, bool IsGreedy)> ByHand) Run(LocalLanguageModel model, TaskPlan plan)
    {
        var requests = plan.Requests.Cast<LoglikelihoodRequest>().ToList();
        var answers = model.Loglikelihood(requests, IProgressSink.None);
        var byHand = requests.Select(r => Score(model, r)).ToList();
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.Equal(byHand[i].LogLikelihood, answers[i].LogLikelihood, 1e-4);
            Assert.Equal(byHand[i].IsGreedy, answers[i].IsGreedy);
        }
        return (plan.Score(answers), byHand);
    }
}
