using System.Diagnostics;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>
/// The built-in engine behind the model interface: tokenizes as lm-evaluation-harness does (context and continuation
/// encoded together, then split; trailing context spaces move into the continuation), prepends BOS, truncates on the
/// left to fit the context, and hands token requests to the batched scorer and generator.
/// </summary>
public sealed class LocalLanguageModel : ILanguageModel, IEngineMeter, IDisposable
{
    private readonly LlamaModel _model;
    private readonly ITextTokenizer _tokenizer;
    private TokenScorer _scorer;
    private readonly BatchedGenerator _batchedGenerator;
    private readonly Dictionary<string, int[]> _encodings = new();
    private readonly int? _rollingStride;

    public ModelIdentity Identity { get; }
    public int ContextLength => _model.Config.MaxPositionEmbeddings;
    public LlamaModel Engine => _model;
    public ITextTokenizer Tokenizer => _tokenizer;
    /// <summary>How the compute dtype was chosen, for the results' machine block (null: not recorded).</summary>
    public Engine.Hardware.DTypeChoice? DTypeChoice { get; set; }

    /// <summary>Time spent inside the engine (forward passes, LM head): the rest of a run is harness overhead.</summary>
    public Stopwatch EngineTime { get; } = new();
    public long EngineTokens => _tokensBeforeRebatching + _scorer.TokensProcessed + _generatedTokens;
    private long _generatedTokens;

    public LocalLanguageModel(LlamaModel model, ITextTokenizer tokenizer, ModelIdentity identity, ScoringOptions? scoring = null, int? rollingStride = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        _scorer = new TokenScorer(model, scoring);
        _batchedGenerator = new BatchedGenerator(model);
        _rollingStride = rollingStride;
        Identity = identity;
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException(
                $"tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize:N0} ids but the model's vocabulary has {model.Config.VocabSize:N0}: they do not belong together");
    }

    /// <summary>Loads a model by path or bundled name, with its own tokenizer unless one is given.</summary>
    public static LocalLanguageModel Load(string pathOrName, ModelDType dtype = ModelDType.Float32, string? tokenizer = null,
        ScoringOptions? scoring = null, int? rollingStride = null)
    {
        var tok = ResolveTokenizer(pathOrName, tokenizer);
        var weights = CheckpointLoader.Load(pathOrName, dtype);
        var model = new LlamaModel(weights);
        string sha = CheckpointFingerprint.Sha256(pathOrName);
        string name = BundledModel.Resolve(pathOrName) is { } b
            ? b.Name : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(pathOrName)));
        bool addBos = tok.BosId is not null;
        var identity = new ModelIdentity(name, pathOrName, sha, dtype.Name(), model.ParameterCount, tok.Name, addBos,
            CacheKey: $"{sha}|{dtype.Name()}|{tok.Name}|bos={addBos}|stride={rollingStride}", RollingStride: rollingStride);
        return new LocalLanguageModel(model, tok, identity, scoring, rollingStride);
    }

    /// <summary>The explicit tokenizer if given, else the one a bundled model names or a model folder holds.</summary>
    public static ITextTokenizer ResolveTokenizer(string model, string? explicitTokenizer)
    {
        if (!string.IsNullOrEmpty(explicitTokenizer)) return TokenizerCatalog.Resolve(explicitTokenizer);
        if (BundledModel.Resolve(model) is { } bundled)
            return TokenizerCatalog.Resolve(bundled.TokenizerName);
        string? folder = Directory.Exists(model) ? model : File.Exists(model) ? Path.GetDirectoryName(Path.GetFullPath(model)) : null;
        if (folder != null)
        {
            foreach (var candidate in new[] { "tokenizer.json", "tokenizer.model" }.Select(f => Path.Combine(folder, f)))
                if (File.Exists(candidate)) return TokenizerCatalog.Resolve(candidate);
            var tok = Directory.GetFiles(folder, "tok*.bin");
            if (tok.Length == 1) return TokenizerCatalog.Resolve(tok[0]);
        }
        if (!File.Exists(model) && !Directory.Exists(model))
            throw new FileNotFoundException($"model '{model}' not found: not a file, not a folder, not a bundled model (bundled: {string.Join(", ", BundledModel.All.Select(m => m.Name))})");
        throw new ArgumentException($"model '{model}' brings no tokenizer (no tokenizer.json, tokenizer.model or tok*.bin beside it): pass --tokenizer NAME|PATH");
    }

    /// <summary>Changes how requests are packed into forward passes (results do not change, only speed and memory).</summary>
    public void UseBatching(ScoringOptions options)
    {
        long processed = _scorer.TokensProcessed;
        _scorer.Dispose();
        _scorer = new TokenScorer(_model, options);
        _tokensBeforeRebatching += processed;
    }

    private long _tokensBeforeRebatching;

    public int CountPromptTokens(string text) => Encode(text).Length + (Identity.AddBos ? 1 : 0);

    private int[] Encode(string text)
    {
        if (_encodings.TryGetValue(text, out var ids)) return ids;
        if (_encodings.Count > 16_384) _encodings.Clear(); // prompts are asked twice (fitting, then scoring); bound the memory
        return _encodings[text] = [.. _tokenizer.Encode(text)];
    }

    private int Prefix => _tokenizer.BosId ?? _tokenizer.EosId ?? _model.Config.BosTokenId ?? 0;

    /// <summary>The token a rolling document starts from (BOS, else EOS).</summary>
    public int DocumentPrefixToken => Prefix;

    /// <summary>Context and continuation token ids split as lm-evaluation-harness's _encode_pair does.</summary>
    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation)
    {
        var (ctx, cont) = ContinuationSplit.Split(context, continuation, t => [.. _tokenizer.Encode(t)], Encode);
        int[] prefixed = Identity.AddBos || ctx.Length == 0 ? [Prefix, .. ctx] : ctx;
        return (prefixed, cont);
    }

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
    {
        var (tokenRequests, truncated) = TokenRequests(requests);
        EngineTime.Start();
        try
        {
            var scores = _scorer.Loglikelihood(tokenRequests, (done, total) => progress.Report(done, total, EngineTokens));
            return scores.Select((s, i) => new LoglikelihoodResponse(s.LogProb, s.IsGreedy, s.TokenLogProbs.Length, truncated[i])).ToList();
        }
        finally { EngineTime.Stop(); }
    }

    /// <summary>The token requests the scorer gets: pairs encoded, BOS prepended, cut on the left to fit the context.</summary>
    public (List<ContinuationRequest> Requests, bool[] Truncated) TokenRequests(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        int max = ContextLength;
        var tokenRequests = new List<ContinuationRequest>(requests.Count);
        var truncated = new bool[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var (ctx, cont) = EncodePair(requests[i].Context, requests[i].Continuation);
            if (cont.Length == 0) throw new ArgumentException($"request {i}: the continuation '{requests[i].Continuation}' has no tokens");
            if (cont.Length > max)
                throw new ArgumentException($"request {i}: the continuation alone has {cont.Length} tokens, more than the model's context of {max}");
            if (ctx.Length + cont.Length - 1 > max) // keep the last max+1 tokens, as lm-evaluation-harness does
            {
                ctx = ctx[^(max + 1 - cont.Length)..];
                truncated[i] = true;
            }
            tokenRequests.Add(new ContinuationRequest(ctx, cont));
        }
        return (tokenRequests, truncated);
    }

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress)
    {
        var docs = requests.Select(r => _tokenizer.Encode(r.Text).ToArray()).ToList();
        var nonEmpty = docs.Select((d, i) => (d, i)).Where(x => x.d.Length > 0).ToList();
        EngineTime.Start();
        try
        {
            // The scorer counts windows; report documents, fractionally (a long document is many windows).
            var perToken = _scorer.LoglikelihoodRolling(nonEmpty.Select(x => x.d).ToList(), Prefix, _rollingStride,
                (done, total) => progress.ReportPartial((double)done * requests.Count / Math.Max(1, total), requests.Count, EngineTokens));
            var result = new RollingLoglikelihoodResponse[requests.Count];
            for (int i = 0; i < requests.Count; i++) result[i] = new RollingLoglikelihoodResponse(0, 0);
            for (int k = 0; k < nonEmpty.Count; k++)
                result[nonEmpty[k].i] = new RollingLoglikelihoodResponse(perToken[k].Sum(x => (double)x), perToken[k].Length);
            return result;
        }
        finally { EngineTime.Stop(); }
    }

    /// <summary>Generates for all requests in batches (<see cref="BatchedGenerator"/>; each row as if alone).</summary>
    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress)
    {
        var jobs = new List<(IReadOnlyList<int> Prompt, GenerationSettings Settings)>(requests.Count);
        foreach (var r in requests)
        {
            int[] ctx = Identity.AddBos ? [Prefix, .. Encode(r.Context)] : Encode(r.Context);
            if (ctx.Length == 0) ctx = [Prefix];
            int room = Math.Max(1, ContextLength - r.MaxTokens);
            if (ctx.Length > room) ctx = ctx[^room..]; // keep the end of the prompt, as lm-evaluation-harness does
            jobs.Add((ctx, new GenerationSettings
            {
                MaxNewTokens = r.MaxTokens,
                Temperature = r.Temperature,
                Seed = r.Seed,
                StopTokens = _tokenizer.EosId is int eos ? new HashSet<int> { eos } : new HashSet<int>(),
                ShouldStop = r.Until.Count == 0 ? null : generated => StopText.IndexOf(_tokenizer.Decode(generated), r.Until) >= 0,
            }));
        }
        EngineTime.Start();
        IReadOnlyList<GenerationResult> generated;
        try
        {
            generated = _batchedGenerator.Generate(jobs, done => progress.Report(done, requests.Count, EngineTokens));
        }
        finally { EngineTime.Stop(); }
        var results = new List<GenerateResponse>(requests.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            var g = generated[i];
            _generatedTokens += jobs[i].Prompt.Count + g.Tokens.Length;
            string text = _tokenizer.Decode(g.Tokens);
            int stop = StopText.IndexOf(text, requests[i].Until);
            results.Add(new GenerateResponse(stop >= 0 ? text[..stop] : text, g.Tokens.Length));
        }
        progress.Report(requests.Count, requests.Count, EngineTokens);
        return results;
    }


    /// <summary>The scorer's token counts (padding not counted) and prefixes reused, for benchmarks and token counting.</summary>
    public TokenScorer Scorer => _scorer;

    public void Dispose()
    {
        _scorer.Dispose();
        _model.Dispose();
    }
}
