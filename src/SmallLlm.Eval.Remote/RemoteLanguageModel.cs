using System.Diagnostics;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Remote;

/// <summary>
/// A model behind an OpenAI-compatible completions server (vLLM, llama.cpp's server, `smalleval serve`), scored as
/// lm-evaluation-harness's local-completions does: the prompt echoed with <c>logprobs</c>, the continuation's
/// <c>token_logprobs</c> summed, is-greedy from <c>top_logprobs</c>. Prompts go as token ids from our own tokenizer
/// (the same <c>_encode_pair</c> split, BOS and truncation as the in-process engine) when the server accepts them;
/// otherwise as text, after checking that the server's tokenization equals ours.
/// </summary>
public sealed class RemoteLanguageModel : ILanguageModel, IEngineMeter, IDisposable
{
    private readonly RemoteOptions _options;
    private readonly CompletionsClient _client;
    private readonly ITextTokenizer _tokenizer;
    private readonly string _model;
    private readonly int? _rollingStride;
    private long _tokens;

    public ModelIdentity Identity { get; }
    public int ContextLength { get; }
    public ITextTokenizer Tokenizer => _tokenizer;
    public Stopwatch EngineTime { get; } = new();
    public long EngineTokens => Interlocked.Read(ref _tokens);

    /// <summary>Prompts go as token ids (false: as text, checked against our tokenization).</summary>
    public bool SendsTokenIds { get; }

    public int Retries => _client.Retries;

    private RemoteLanguageModel(RemoteOptions options, ITextTokenizer tokenizer, int? rollingStride)
    {
        _options = options;
        _tokenizer = tokenizer;
        _rollingStride = rollingStride;
        _client = new CompletionsClient(options);
        try
        {
            var models = Run(() => _client.GetAsync("/models"));
            var data = models["data"]?.AsArray() ?? throw new RemoteModelException($"{options.BaseUrl}/models: no 'data' list in the answer");
            var entry = options.Model is null ? data.FirstOrDefault()
                : data.FirstOrDefault(m => m?["id"]?.GetValue<string>() == options.Model)
                  ?? throw new RemoteModelException($"{options.BaseUrl}: the server has no model '{options.Model}' (it has: {string.Join(", ", data.Select(m => m?["id"]))})");
            _model = entry?["id"]?.GetValue<string>() ?? throw new RemoteModelException($"{options.BaseUrl}/models lists no model");
            ContextLength = options.ContextLength ?? entry["max_model_len"]?.GetValue<int>()
                ?? throw new RemoteModelException($"{options.BaseUrl}: the server does not report max_model_len for '{_model}': pass the model's context length");
            SendsTokenIds = Probe();
        }
        catch
        {
            _client.Dispose();
            throw;
        }
        bool addBos = tokenizer.BosId is not null;
        string url = options.BaseUrl;
        Identity = new ModelIdentity(_model, url, WeightsSha256: "", DType: "remote", Parameters: 0, tokenizer.Name, addBos,
            CacheKey: $"remote|{url}|{_model}|{tokenizer.Name}|bos={addBos}|ctx={ContextLength}|stride={rollingStride}",
            RollingStride: rollingStride, Backend: "openai-completions", BackendSettings: $"url={url}");
    }

    public static RemoteLanguageModel Connect(RemoteOptions options, ITextTokenizer tokenizer, int? rollingStride = null) =>
        new(options, tokenizer, rollingStride);

    private static T Run<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();

    private int Prefix => _tokenizer.BosId ?? _tokenizer.EosId ?? 0;

    /// <summary>Asks for an echoed two-token prompt: tells whether token ids are accepted and whether prompt log-probabilities come back at all.</summary>
    private bool Probe()
    {
        int[] ids = [Prefix, .. _tokenizer.Encode("Hello").Take(1)];
        if (ids.Length < 2) ids = [Prefix, Prefix];
        try
        {
            var answer = Run(() => _client.PostAsync("/completions", Body(new JsonArray(Ids(ids)), maxTokens: 0, echo: true, logprobs: 1)));
            CheckEcho(answer, 0, ids.Length);
            return true;
        }
        catch (RemoteModelException e) when (e.Message.Contains("HTTP 400"))
        {
            var answer = Run(() => _client.PostAsync("/completions", Body(new JsonArray("Hello"), maxTokens: 0, echo: true, logprobs: 1)));
            CheckEcho(answer, 0, null);
            return false;
        }
    }

    private JsonArray CheckEcho(JsonNode answer, int choice, int? expectedTokens)
    {
        var lp = answer["choices"]?[choice]?["logprobs"]?["token_logprobs"]?.AsArray();
        if (lp is null || (expectedTokens is int n && lp.Count < n))
            throw new RemoteModelException(
                $"{_options.BaseUrl}: the server does not return the prompt's log-probabilities (echo + logprobs; got {lp?.Count.ToString() ?? "none"}): log-likelihood tasks need them (vLLM and `smalleval serve` do; chat-only APIs do not)");
        return lp;
    }

    private static JsonNode[] Ids(int[] ids) => ids.Select(i => (JsonNode)i).ToArray();

    private JsonObject Body(JsonArray prompt, int maxTokens, bool echo, int? logprobs) => new()
    {
        ["model"] = _model,
        ["prompt"] = prompt,
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["echo"] = echo,
        ["logprobs"] = logprobs,
        ["seed"] = 1234,
    };

    public int CountPromptTokens(string text) => _tokenizer.CountTokens(text) + (Identity.AddBos ? 1 : 0);

    /// <summary>(context, continuation) token ids: the split, BOS and truncation the in-process engine uses.</summary>
    private (int[] Context, int[] Continuation, bool Truncated) Tokens(LoglikelihoodRequest r, int index)
    {
        var (ctx, cont) = ContinuationSplit.Split(r.Context, r.Continuation, t => [.. _tokenizer.Encode(t)]);
        if (Identity.AddBos || ctx.Length == 0) ctx = [Prefix, .. ctx];
        if (cont.Length == 0) throw new ArgumentException($"request {index}: the continuation '{r.Continuation}' has no tokens");
        if (cont.Length > ContextLength)
            throw new ArgumentException($"request {index}: the continuation alone has {cont.Length} tokens, more than the model's context of {ContextLength}");
        bool truncated = false;
        if (ctx.Length + cont.Length - 1 > ContextLength)
        {
            ctx = ctx[^(ContextLength + 1 - cont.Length)..];
            truncated = true;
        }
        return (ctx, cont, truncated);
    }

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress)
    {
        var split = requests.Select(Tokens).ToList();
        var scored = ScoreSequences(split.Select(s => (s.Context, s.Continuation)).ToList(), topN: 1, progress, requests.Count);
        return scored.Select((s, i) => new LoglikelihoodResponse(s.Sum, s.Greedy, split[i].Continuation.Length, split[i].Truncated)).ToList();
    }

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress)
    {
        // The in-process engine's windows exactly, each scored as an echoed prompt.
        var windows = new List<(int[], int[])>();
        var owner = new List<int>();
        for (int d = 0; d < requests.Count; d++)
            foreach (var w in RollingWindows.Build(_tokenizer.Encode(requests[d].Text).ToArray(), Prefix, ContextLength, _rollingStride))
            {
                windows.Add((w.Context, w.Continuation));
                owner.Add(d);
            }
        var scored = ScoreSequences(windows, topN: 0, IProgressSink.None, windows.Count);
        var sums = new double[requests.Count];
        var counts = new int[requests.Count];
        for (int k = 0; k < windows.Count; k++)
        {
            sums[owner[k]] += scored[k].Sum;
            counts[owner[k]] += windows[k].Item2.Length;
        }
        progress.Report(requests.Count, requests.Count, EngineTokens);
        return Enumerable.Range(0, requests.Count).Select(i => new RollingLoglikelihoodResponse(sums[i], counts[i])).ToList();
    }

    /// <summary>Sum of the continuation's log-probabilities (float32 values summed in double, as the engine does)
    /// and lm-eval's is-greedy rule: each continuation token's log-probability equals the best of its top list.</summary>
    private List<(double Sum, bool Greedy)> ScoreSequences(List<(int[] Context, int[] Continuation)> items, int topN, IProgressSink progress, int total)
    {
        var results = new (double, bool)[items.Count];
        var chunks = Enumerable.Range(0, items.Count).Chunk(Math.Max(1, _options.BatchSize)).ToList();
        int done = 0;
        EngineTime.Start();
        try
        {
            Run(async () =>
            {
                await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency) }, async (chunk, ct) =>
                {
                    var prompts = new JsonArray();
                    foreach (int i in chunk)
                    {
                        int[] all = [.. items[i].Context, .. items[i].Continuation];
                        prompts.Add(SendsTokenIds ? new JsonArray(Ids(all)) : (JsonNode)TextOf(all));
                        Interlocked.Add(ref _tokens, all.Length);
                    }
                    var answer = await _client.PostAsync("/completions", Body(prompts, maxTokens: 0, echo: true, logprobs: Math.Max(1, topN)), ct);
                    var choices = answer["choices"]?.AsArray() ?? throw new RemoteModelException($"{_options.BaseUrl}/completions: no 'choices' in the answer");
                    var byIndex = choices.ToDictionary(c => c!["index"]!.GetValue<int>(), c => c!);
                    for (int j = 0; j < chunk.Length; j++)
                    {
                        var (ctx, cont) = items[chunk[j]];
                        if (!byIndex.TryGetValue(j, out var choice))
                            throw new RemoteModelException($"{_options.BaseUrl}/completions: choice {j} of {chunk.Length} is missing from the answer");
                        var lp = CheckEcho(answer, choices.IndexOf(choice), ctx.Length + cont.Length);
                        if (lp.Count != ctx.Length + cont.Length)
                            throw new RemoteModelException(
                                $"{_options.BaseUrl}: the server's tokenization differs from {_tokenizer.Name}'s: {lp.Count} tokens echoed for a prompt of {ctx.Length + cont.Length} (use a server that accepts token ids, or the model's own tokenizer)");
                        var top = choice["logprobs"]?["top_logprobs"]?.AsArray();
                        double sum = 0;
                        bool greedy = true;
                        for (int t = ctx.Length; t < lp.Count; t++)
                        {
                            double v = lp[t]?.GetValue<double>() ?? throw new RemoteModelException($"{_options.BaseUrl}: token_logprobs[{t}] is null");
                            sum += (float)v;
                            if (top?[t] is JsonObject alternatives && alternatives.Count > 0)
                                greedy &= v >= alternatives.Max(a => a.Value!.GetValue<double>());
                        }
                        results[chunk[j]] = (sum, greedy);
                    }
                    int now = Interlocked.Add(ref done, chunk.Length);
                    progress.Report(now, total, EngineTokens);
                });
                return 0;
            });
        }
        finally { EngineTime.Stop(); }
        return results.ToList();
    }

    private string TextOf(int[] ids) => _tokenizer.Decode(ids[0] == Prefix && Identity.AddBos ? ids[1..] : ids);

    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress)
    {
        var results = new GenerateResponse[requests.Count];
        int done = 0;
        EngineTime.Start();
        try
        {
            Run(async () =>
            {
                // One prompt per request: settings (stop, max tokens, seed) differ between requests.
                await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency) }, async (i, ct) =>
                {
                    var r = requests[i];
                    int[] ctx = Identity.AddBos ? [Prefix, .. _tokenizer.Encode(r.Context)] : [.. _tokenizer.Encode(r.Context)];
                    if (ctx.Length == 0) ctx = [Prefix];
                    int room = Math.Max(1, ContextLength - r.MaxTokens);
                    if (ctx.Length > room) ctx = ctx[^room..];
                    var body = new JsonObject
                    {
                        ["model"] = _model,
                        ["prompt"] = SendsTokenIds ? new JsonArray(Ids(ctx)) : TextOf(ctx),
                        ["max_tokens"] = r.MaxTokens,
                        ["temperature"] = r.Temperature,
                        ["seed"] = (long)r.Seed,
                        ["logprobs"] = 0, // the generated tokens come back, so their count is the server's own
                    };
                    if (r.Until.Count > 0) body["stop"] = new JsonArray(r.Until.Select(u => (JsonNode)u).ToArray());
                    var answer = await _client.PostAsync("/completions", body, ct);
                    var choice = answer["choices"]?[0] ?? throw new RemoteModelException($"{_options.BaseUrl}/completions: no choices in the answer");
                    string text = choice["text"]?.GetValue<string>() ?? "";
                    int tokens = choice["logprobs"]?["tokens"]?.AsArray().Count ?? _tokenizer.CountTokens(text);
                    Interlocked.Add(ref _tokens, ctx.Length + tokens);
                    results[i] = new GenerateResponse(text, tokens);
                    progress.Report(Interlocked.Increment(ref done), requests.Count, EngineTokens);
                });
                return 0;
            });
        }
        finally { EngineTime.Stop(); }
        return results;
    }

    public void Dispose() => _client.Dispose();
}
