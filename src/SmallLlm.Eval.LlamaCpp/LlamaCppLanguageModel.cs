using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>
/// A GGUF model through llama.cpp behind the model interface. Text becomes tokens with the GGUF's own vocabulary and
/// is split, prefixed and truncated exactly as the built-in engine does (lm-evaluation-harness's rules), so the two
/// backends score the same tokens.
/// </summary>
public sealed class LlamaCppLanguageModel : ILanguageModel, IDisposable
{
    public const string BackendName = "llamacpp";

    private readonly LlamaCppModel _model;
    private readonly PromptEncoder _prompts;

    public ModelIdentity Identity { get; }
    public ModelDescription Description { get; }
    public int ContextLength => _model.ContextLength;
    public LlamaCppModel Engine => _model;
    public ITextTokenizer Tokenizer => _prompts.Tokenizer;
    public long TokensProcessed => _model.TokensProcessed; // prompts and generated tokens, as llama.cpp decodes them

    private LlamaCppLanguageModel(LlamaCppModel model, ModelIdentity identity)
    {
        _model = model;
        Identity = identity;
        Description = new ModelDescription(model.VocabSize, DTypeReason: "GGUF: precision is the file's tensor types");
        // The token put before a context: BOS; else EOS, as lm-evaluation-harness's prefix token.
        _prompts = new PromptEncoder(new LlamaCppTokenizer(model, identity.Tokenizer), model.AddBos, model.BosId ?? model.EosId ?? 0, model.ContextLength);
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
        return new LlamaCppLanguageModel(model, identity);
    }

    public int CountPromptTokens(string text) => _prompts.CountPromptTokens(text);

    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation) => _prompts.EncodePair(context, continuation);

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
    {
        var (tokenRequests, truncated) = _prompts.Loglikelihood(requests);
        var scores = _model.Loglikelihood(tokenRequests, (done, total) => progress.Report(done, total, TokensProcessed));
        return scores.Select((s, i) => new LoglikelihoodResponse(s.TokenLogProbs.Sum(x => (double)x), s.IsGreedy, s.TokenLogProbs.Length, truncated[i])).ToList();
    }

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress)
    {
        var windows = new List<ContinuationRequest>();
        var owner = new List<int>();
        for (int d = 0; d < requests.Count; d++)
        {
            var doc = _model.Tokenize(requests[d].Text);
            if (doc.Length == 0) continue;
            foreach (var w in RollingWindows.Build(doc, _prompts.PrefixToken, ContextLength, Identity.RollingStride))
            {
                windows.Add(w);
                owner.Add(d);
            }
        }
        var scores = _model.Loglikelihood(windows, (done, total) => progress.Report((int)((long)done * requests.Count / Math.Max(1, total)), requests.Count, TokensProcessed));
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

    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress)
    {
        var results = new List<GenerateResponse>(requests.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            int[] prompt = _prompts.GenerationPrompt(r);
            // Text is decoded after the prompt (one rule with serve and `generate`): the first word keeps its leading space.
            var settings = new GenerationSettings
            {
                MaxNewTokens = r.MaxTokens,
                Temperature = r.Temperature,
                Seed = r.Seed,
                StopTokens = _model.EosId is int eos ? new HashSet<int> { eos } : new HashSet<int>(),
                ShouldStop = r.Until.Count == 0 ? null : generated => StopText.IndexOf(Tokenizer.DecodeAfter(prompt, generated), r.Until) >= 0,
            };
            var g = _model.Generate(prompt, settings);
            string text = Tokenizer.DecodeAfter(prompt, g.Tokens);
            int stop = StopText.IndexOf(text, r.Until);
            results.Add(new GenerateResponse(stop >= 0 ? text[..stop] : text, g.Tokens.Length));
            progress.Report(i + 1, requests.Count, TokensProcessed);
        }
        return results;
    }

    public void Dispose() => _model.Dispose();
}
