using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>
/// The built-in engine behind the model interface: prompts encoded by the shared <see cref="PromptEncoder"/> rules,
/// token requests handed to the batched scorer and generator. Fixed at construction (batching, precision); loading
/// from files is <see cref="LocalModelLoader"/>'s job, timing the runner's (<see cref="MeteredLanguageModel"/>).
/// </summary>
public sealed class LocalLanguageModel : ILanguageModel, IDisposable
{
    private readonly LlamaModel _model;
    private readonly TokenScorer _scorer;
    private readonly BatchedGenerator _batchedGenerator;
    private readonly PromptEncoder _prompts;
    private long _generatedTokens;

    public ModelIdentity Identity { get; }
    public ModelDescription Description { get; }
    public int ContextLength => _model.Config.MaxPositionEmbeddings;
    public ITextTokenizer Tokenizer => _prompts.Tokenizer;
    public long TokensProcessed => _scorer.TokensProcessed + Interlocked.Read(ref _generatedTokens);

    /// <summary>The engine itself, for engine-level work that is no task's (KL divergence, token counting, tests).</summary>
    public LlamaModel Engine => _model;

    /// <summary>The scorer's token counts (padding not counted) and prefixes reused, for benchmarks and token counting.</summary>
    public TokenScorer Scorer => _scorer;

    /// <summary>The prompt rules this model encodes with (token counting plans with them).</summary>
    public PromptEncoder Prompts => _prompts;

    /// <param name="scoring">How requests are packed into forward passes (null: the scorer's defaults).</param>
    /// <param name="dtypeChoice">How the precision was chosen, for the results (null: asked for).</param>
    public LocalLanguageModel(LlamaModel model, ITextTokenizer tokenizer, ModelIdentity identity, ScoringOptions? scoring = null, DTypeChoice? dtypeChoice = null)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException(
                $"tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize:N0} ids but the model's vocabulary has {model.Config.VocabSize:N0}: they do not belong together");
        _model = model;
        _scorer = new TokenScorer(model, scoring);
        _batchedGenerator = new BatchedGenerator(model);
        _prompts = new PromptEncoder(tokenizer, identity.AddBos, tokenizer.BosId ?? tokenizer.EosId ?? model.Config.BosTokenId ?? 0, ContextLength);
        Identity = identity;
        Description = new ModelDescription(model.Config.VocabSize, dtypeChoice?.Requested ?? identity.DType, dtypeChoice?.Reason ?? "asked for");
    }

    public int CountPromptTokens(string text) => _prompts.CountPromptTokens(text);

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
    {
        var (tokenRequests, truncated) = _prompts.Loglikelihood(requests);
        var scores = _scorer.Loglikelihood(tokenRequests, (done, total) => progress.Report(done, total, TokensProcessed));
        return scores.Select((s, i) => new LoglikelihoodResponse(s.LogProb, s.IsGreedy, s.TokenLogProbs.Length, truncated[i])).ToList();
    }

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress)
    {
        var docs = requests.Select(r => Tokenizer.Encode(r.Text).ToArray()).ToList();
        var nonEmpty = docs.Select((d, i) => (d, i)).Where(x => x.d.Length > 0).ToList();
        // The scorer counts windows; report documents, fractionally (a long document is many windows).
        var perToken = _scorer.LoglikelihoodRolling(nonEmpty.Select(x => x.d).ToList(), _prompts.PrefixToken, Identity.RollingStride,
            (done, total) => progress.ReportPartial((double)done * requests.Count / Math.Max(1, total), requests.Count, TokensProcessed));
        var result = new RollingLoglikelihoodResponse[requests.Count];
        for (int i = 0; i < requests.Count; i++) result[i] = new RollingLoglikelihoodResponse(0, 0);
        for (int k = 0; k < nonEmpty.Count; k++)
            result[nonEmpty[k].i] = new RollingLoglikelihoodResponse(perToken[k].Sum(x => (double)x), perToken[k].Length);
        return result;
    }

    /// <summary>Generates for all requests in batches (<see cref="BatchedGenerator"/>; each row as if alone).</summary>
    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress)
    {
        var tokenizer = Tokenizer;
        // Text is decoded after the prompt (one rule with serve and `generate`): the first word keeps its leading space.
        var jobs = requests.Select(r => (r, prompt: _prompts.GenerationPrompt(r))).Select(x => ((IReadOnlyList<int>)x.prompt, new GenerationSettings
        {
            MaxNewTokens = x.r.MaxTokens,
            Temperature = x.r.Temperature,
            Seed = x.r.Seed,
            StopTokens = tokenizer.EosId is int eos ? new HashSet<int> { eos } : new HashSet<int>(),
            ShouldStop = x.r.Until.Count == 0 ? null : generated => StopText.IndexOf(tokenizer.DecodeAfter(x.prompt, generated), x.r.Until) >= 0,
        })).ToList();
        var generated = _batchedGenerator.Generate(jobs, done => progress.Report(done, requests.Count, TokensProcessed));
        var results = new List<GenerateResponse>(requests.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            var g = generated[i];
            Interlocked.Add(ref _generatedTokens, jobs[i].Item1.Count + g.Tokens.Length);
            string text = tokenizer.DecodeAfter(jobs[i].Item1, g.Tokens);
            int stop = StopText.IndexOf(text, requests[i].Until);
            results.Add(new GenerateResponse(stop >= 0 ? text[..stop] : text, g.Tokens.Length));
        }
        progress.Report(requests.Count, requests.Count, TokensProcessed);
        return results;
    }

    public void Dispose()
    {
        _scorer.Dispose();
        _model.Dispose();
    }
}
