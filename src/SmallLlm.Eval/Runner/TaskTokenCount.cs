using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Runner;

/// <summary>Tokens a full run of a task puts through the model, with and without few-shot prefix reuse.</summary>
public sealed record TaskTokenCount(string Task, int Documents, int ScoringRequests, int GenerationRequests,
    long TokensWithoutReuse, long TokensWithReuse, int PrefixesRun)
{
    public double Saving => TokensWithReuse == 0 ? 1 : (double)TokensWithoutReuse / TokensWithReuse;
}

/// <summary>
/// Counts what a run would compute by planning it exactly as the scorer does (identical requests once, chunks of the
/// runner's commit size, prefixes kept between chunks) without running the model. Padding is not counted; generation
/// is not counted (its length depends on what the model writes).
/// </summary>
public static class TaskTokenCounter
{
    /// <summary>A stand-in model that only plans: the tokenizer's vocabulary, the given context, one tiny layer.</summary>
    public static LocalLanguageModel CountingModel(ITextTokenizer tokenizer, int contextLength)
    {
        var config = new LlamaConfig
        {
            HiddenSize = 8, IntermediateSize = 8, NumLayers = 1, NumHeads = 1, NumKeyValueHeads = 1, HeadDim = 8,
            VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = contextLength, TieWordEmbeddings = true,
        }.Validated("token counting");
        var model = new LlamaModel(RandomWeights.Create(config, ModelDType.Float32));
        var identity = new ModelIdentity("token-count", "token-count", "none", "fp32", model.ParameterCount, tokenizer.Name,
            tokenizer.BosId is not null, "token-count");
        return new LocalLanguageModel(model, tokenizer, identity, new ScoringOptions { CountOnly = true });
    }

    public static TaskTokenCount Count(LocalLanguageModel model, IEvalTask task, TaskSettings settings, int chunkSize = 512)
    {
        var plan = task.Plan(model, settings);
        var scoring = plan.Requests.OfType<LoglikelihoodRequest>().Distinct().ToList(); // first-seen order, as the runner
        var rolling = plan.Requests.OfType<RollingLoglikelihoodRequest>().Distinct().ToList();
        var (tokenRequests, _) = model.Prompts.Loglikelihood(scoring);
        (long Tokens, int Prefixes) Count(ScoringOptions options)
        {
            using var scorer = new TokenScorer(model.Engine, options with { CountOnly = true });
            for (int i = 0; i < tokenRequests.Count; i += chunkSize)
                scorer.Loglikelihood(tokenRequests.GetRange(i, Math.Min(chunkSize, tokenRequests.Count - i)));
            return (scorer.TokensWithoutPadding, scorer.PrefixesComputed);
        }
        var without = Count(new ScoringOptions { MinSharedPrefix = int.MaxValue });
        var with = Count(new ScoringOptions());
        long rollingTokens = 0;
        if (rolling.Count > 0)
        {
            // Rolling windows never share a prefix: one count serves both columns.
            using var scorer = new TokenScorer(model.Engine, new ScoringOptions { CountOnly = true });
            var documents = rolling.Select(r => model.Tokenizer.Encode(r.Text).ToArray()).Where(d => d.Length > 0).ToList();
            scorer.LoglikelihoodRolling(documents, model.Prompts.PrefixToken, model.Identity.RollingStride);
            rollingTokens = scorer.TokensWithoutPadding;
        }
        return new TaskTokenCount(task.Name, plan.Documents, plan.Requests.Count(r => r is not GenerateRequest),
            plan.Requests.Count(r => r is GenerateRequest), without.Tokens + rollingTokens, with.Tokens + rollingTokens, with.Prefixes);
    }
}
