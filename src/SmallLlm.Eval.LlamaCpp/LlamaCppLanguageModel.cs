using System.Diagnostics;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>
/// A GGUF model through llama.cpp behind the model interface. Text becomes tokens with the GGUF's own vocabulary and
/// is split, prefixed and truncated exactly as the built-in engine does (lm-evaluation-harness's rules), so the two
/// backends score the same tokens.
/// </summary>
public sealed class LlamaCppLanguageModel : ILanguageModel, IEngineMeter, IDisposable
{
    public const string BackendName = "llamacpp";

    private readonly LlamaCppModel _model;
    private readonly Dictionary<string, int[]> _encodings = new();
    private readonly int? _rollingStride;

    public ModelIdentity Identity { get; }
    public int ContextLength => _model.ContextLength;
    public LlamaCppModel Engine => _model;
    public Stopwatch EngineTime { get; } = new();
    public long EngineTokens => _model.TokensProcessed;

    private LlamaCppLanguageModel(LlamaCppModel model, ModelIdentity identity, int? rollingStride)
    {
        _model = model;
        Identity = identity;
        _rollingStride = rollingStride;
    }

    public static LlamaCppLanguageModel Load(string path, LlamaCppOptions? options = null, int? rollingStride = null)
    {
        options ??= new LlamaCppOptions();
        var header = GgufFile.Read(path);
        var model = LlamaCppModel.Load(path, options);
        string sha = CheckpointFingerprint.Sha256(path);
        string fileType = GgufSummary.FileTypeName(header);
        string tokenizer = $"gguf:{header.GetString("tokenizer.ggml.model") ?? "?"}:{model.VocabSize}";
        var identity = new ModelIdentity(Path.GetFileName(path), path, sha, fileType, model.Parameters, tokenizer, model.AddBos,
            CacheKey: $"{BackendName}|{sha}|{options.Describe()}|bos={model.AddBos}|stride={rollingStride}", RollingStride: rollingStride,
            Backend: BackendName, BackendSettings: options.Describe());
        return new LlamaCppLanguageModel(model, identity, rollingStride);
    }

    public int CountPromptTokens(string text) => Encode(text).Length + (Identity.AddBos ? 1 : 0);

    private int[] Encode(string text)
    {
        if (_encodings.TryGetValue(text, out var ids)) return ids;
        if (_encodings.Count > 16_384) _encodings.Clear();
        return _encodings[text] = _model.Tokenize(text);
    }

    /// <summary>The token put before a context (BOS; else EOS, as lm-evaluation-harness's prefix token).</summary>
    private int Prefix => _model.BosId ?? _model.EosId ?? 0;

    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation)
    {
        var (ctx, cont) = ContinuationSplit.Split(context, continuation, _model.Tokenize, Encode);
        int[] prefixed = Identity.AddBos || ctx.Length == 0 ? [Prefix, .. ctx] : ctx;
        return (prefixed, cont);
    }

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
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
            if (ctx.Length + cont.Length - 1 > max)
            {
                ctx = ctx[^(max + 1 - cont.Length)..];
                truncated[i] = true;
            }
            tokenRequests.Add(new ContinuationRequest(ctx, cont));
        }
        EngineTime.Start();
        try
        {
            var scores = _model.Loglikelihood(tokenRequests, (done, total) => progress.Report(done, total, EngineTokens));
            return scores.Select((s, i) => new LoglikelihoodResponse(s.TokenLogProbs.Sum(x => (double)x), s.IsGreedy, s.TokenLogProbs.Length, truncated[i])).ToList();
        }
        finally { EngineTime.Stop(); }
    }

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress)
    {
        var windows = new List<ContinuationRequest>();
        var owner = new List<int>();
        for (int d = 0; d < requests.Count; d++)
        {
            var doc = _model.Tokenize(requests[d].Text);
            if (doc.Length == 0) continue;
            foreach (var w in RollingWindows.Build(doc, Prefix, ContextLength, _rollingStride))
            {
                windows.Add(w);
                owner.Add(d);
            }
        }
        EngineTime.Start();
        try
        {
            var scores = _model.Loglikelihood(windows, (done, total) => progress.Report((int)((long)done * requests.Count / Math.Max(1, total)), requests.Count, EngineTokens));
            var sum = new double[requests.Count];
            var count = new int[requests.Count];
            for (int i = 0; i < scores.Count; i++)
            {
                // Summed per token in order, as the built-in engine does, so float rounding matches too.
                foreach (var lp in scores[i].TokenLogProbs) sum[owner[i]] += lp;
                count[owner[i]] += scores[i].TokenLogProbs.Length;
            }
            return Enumerable.Range(0, requests.Count).Select(d => new RollingLoglikelihoodResponse(sum[d], count[d])).ToList();
        }
        finally { EngineTime.Stop(); }
    }

    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress)
    {
        var results = new List<GenerateResponse>(requests.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            int[] ctx = Identity.AddBos ? [Prefix, .. Encode(r.Context)] : Encode(r.Context);
            if (ctx.Length == 0) ctx = [Prefix];
            int room = Math.Max(1, ContextLength - r.MaxTokens);
            if (ctx.Length > room) ctx = ctx[^room..];
            var settings = new GenerationSettings
            {
                MaxNewTokens = r.MaxTokens,
                Temperature = r.Temperature,
                Seed = r.Seed,
                StopTokens = _model.EosId is int eos ? new HashSet<int> { eos } : new HashSet<int>(),
                ShouldStop = r.Until.Count == 0 ? null : generated => StopText.IndexOf(_model.Decode(generated), r.Until) >= 0,
            };
            EngineTime.Start();
            GenerationResult g;
            try { g = _model.Generate(ctx, settings); }
            finally { EngineTime.Stop(); }
            string text = _model.Decode(g.Tokens);
            int stop = StopText.IndexOf(text, r.Until);
            results.Add(new GenerateResponse(stop >= 0 ? text[..stop] : text, g.Tokens.Length));
            progress.Report(i + 1, requests.Count, EngineTokens);
        }
        return results;
    }


    public void Dispose() => _model.Dispose();
}
