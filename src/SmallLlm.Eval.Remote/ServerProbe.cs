using System.Text.Json.Nodes;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Remote;

public enum ProbeOutcome { Pass, Fail, Skip }

/// <summary>One capability checked against a server, with what was seen.</summary>
public sealed record ProbeCheck(string Capability, ProbeOutcome Outcome, string Evidence);

/// <summary>What <c>smalleval probe</c> found; <see cref="Passed"/>: no check failed (skipped ones do not count).</summary>
public sealed record ProbeReport(string Url, string? Model, string? Tokenizer, IReadOnlyList<ProbeCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Outcome != ProbeOutcome.Fail);
}

/// <summary>
/// Checks, before a server is trusted, each capability that correct numbers depend on: a server that ignores
/// <c>echo</c> (llama.cpp's server), returns <c>prompt_logprobs: [None]</c>, tokenizes differently or adds no BOS would
/// otherwise give numbers that look fine and are wrong. Each check asks the server directly and states what it saw.
/// </summary>
public sealed class ServerProbe(RemoteOptions options, ITextTokenizer? tokenizer, ILanguageModel? reference, double tolerance = 1e-3)
{
    public const string ModelsListed = "models listed";
    public const string TokenIds = "token-id prompts accepted";
    public const string Echo = "echo honoured";
    public const string PromptLogProbs = "prompt log-probabilities";
    public const string TopLogProbs = "top_logprobs consistent";
    public const string Tokenization = "tokenization equal to ours";
    public const string Bos = "BOS handling";
    public const string Stop = "stop honoured";
    public const string Determinism = "greedy determinism";
    public const string MaxContext = "max context";
    public const string Reference = "log-probabilities match the reference";

    /// <summary>Texts the checks send (short: the probe must be cheap on any server).</summary>
    public static readonly string[] Texts =
    [
        "Once upon a time, there was a little girl named Lily.",
        "The cat sat on the mat and looked at the big red ball.",
        "Tom had a dog. The dog was happy and ran to the tree.",
    ];

    private const int TopN = 5;
    private const int GenerateTokens = 24;
    /// <summary>Larger contexts are only reported: filling them would make the probe a load test.</summary>
    private const int MaxContextTried = 16_384;

    private readonly List<ProbeCheck> _checks = [];
    private CompletionsClient _client = null!;
    private string _model = "";
    private ITextTokenizer? _ours;
    private bool _serverTokenizer;
    private int? _context;
    private int[] _prompt = [];
    private bool _idsAccepted;
    private JsonNode? _echoed;

    private string Completions => $"{options.BaseUrl}/completions";

    public ProbeReport Run(Action<ProbeCheck>? onCheck = null)
    {
        using var client = new CompletionsClient(options);
        _client = client;
        void Add(ProbeCheck c) { _checks.Add(c); onCheck?.Invoke(c); }
        void Check(string capability, Func<(ProbeOutcome, string)> check)
        {
            try
            {
                var (outcome, evidence) = check();
                Add(new ProbeCheck(capability, outcome, evidence));
            }
            catch (RemoteModelException e) { Add(new ProbeCheck(capability, ProbeOutcome.Fail, e.Message)); }
        }

        Check(ModelsListed, CheckModels);
        if (_model.Length == 0) return Report();
        ResolveTokenizer();
        if (_ours is null)
        {
            Add(new ProbeCheck(Tokenization, ProbeOutcome.Fail,
                "no tokenizer: -t was not given and the server exposes no /tokenize and /tokenizer_info; the other checks need token ids"));
            return Report();
        }
        _prompt = [.. _ours.BosId is int bos ? [bos] : Array.Empty<int>(), .. _ours.Encode(Texts[0])];
        Check(TokenIds, CheckTokenIds);
        Check(Echo, CheckEcho);
        Check(PromptLogProbs, CheckPromptLogProbs);
        Check(TopLogProbs, CheckTopLogProbs);
        Check(Tokenization, CheckTokenization);
        Check(Bos, CheckBos);
        Check(Stop, CheckStop);
        Check(Determinism, CheckDeterminism);
        Check(MaxContext, CheckMaxContext);
        Check(Reference, CheckReference);
        return Report();
    }

    private ProbeReport Report() => new(options.BaseUrl, _model.Length > 0 ? _model : null, _ours?.Name, _checks);

    private static T Await<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();

    private (ProbeOutcome, string) CheckModels()
    {
        var answer = Await(() => _client.GetAsync("/models"));
        var data = EchoedPrompt.Field(answer, "data", $"{options.BaseUrl}/models") as JsonArray;
        var ids = data?.Select(m => m is JsonObject o && o["id"] is JsonValue v && v.TryGetValue(out string? s) ? s : null).ToList() ?? [];
        if (ids.Count == 0 || ids.Any(i => i is null)) return (ProbeOutcome.Fail, $"GET /models: no 'data' list of models with ids: {Short(answer.ToJsonString())}");
        string? chosen = options.Model ?? ids[0];
        int at = ids.IndexOf(chosen);
        if (at < 0) return (ProbeOutcome.Fail, $"GET /models lists {string.Join(", ", ids)}; no '{options.Model}'");
        _model = chosen!;
        _context = options.ContextLength ?? (data![at]!["max_model_len"] is JsonValue c && c.TryGetValue(out int n) ? n : null);
        return (ProbeOutcome.Pass, $"GET /models lists {string.Join(", ", ids)}; probing '{_model}'" +
            (_context is int k ? $" (max_model_len {k})" : " (no max_model_len)"));
    }

    private void ResolveTokenizer()
    {
        _ours = tokenizer ?? reference?.Tokenizer;
        if (_ours is not null) return;
        try
        {
            _ours = ServerTokenizer.Connect(_client, options.BaseUrl);
            _serverTokenizer = true;
        }
        catch (RemoteModelException) { _ours = null; }
    }

    private JsonObject Body(JsonNode prompt, int maxTokens, bool echo, int? logprobs, JsonArray? stop = null)
    {
        var body = new JsonObject
        {
            ["model"] = _model, ["prompt"] = prompt, ["max_tokens"] = maxTokens, ["temperature"] = 0,
            ["echo"] = echo, ["logprobs"] = logprobs, ["seed"] = 1234,
        };
        if (stop is not null) body["stop"] = stop;
        return body;
    }

    private static JsonArray IdList(int[] ids) => new(ids.Select(i => (JsonNode)i).ToArray());

    private JsonNode Post(JsonObject body) => Await(() => _client.PostAsync("/completions", body));

    private JsonNode Choice(JsonNode answer, int index)
    {
        var choices = EchoedPrompt.Field(answer, "choices", Completions) as JsonArray ?? throw new RemoteModelException($"{Completions}: no 'choices' list");
        return choices.FirstOrDefault(c => EchoedPrompt.Field(c, "index", Completions) is JsonValue v && v.TryGetValue(out int i) && i == index)
            ?? throw new RemoteModelException($"{Completions}: no choice with index {index}");
    }

    private string Text(JsonNode choice) => EchoedPrompt.Field(choice, "text", Completions) is JsonValue v && v.TryGetValue(out string? s) ? s
        : throw new RemoteModelException($"{Completions}: the choice has no 'text' string");

    /// <summary>The probe prompt as the server takes it: token ids when accepted, else text (it adds its own BOS).</summary>
    private JsonNode PromptOf(int[] ids, string text) => _idsAccepted ? IdList(ids) : text;

    private (ProbeOutcome, string) CheckTokenIds()
    {
        try
        {
            _echoed = Post(Body(IdList(_prompt), 0, echo: true, logprobs: TopN));
            _idsAccepted = true;
            return (ProbeOutcome.Pass, $"a prompt of {_prompt.Length} token ids was answered");
        }
        catch (RemoteModelException e) when (e.Message.Contains("HTTP 4", StringComparison.Ordinal))
        {
            _echoed = Post(Body(Texts[0], 0, echo: true, logprobs: TopN));
            return (ProbeOutcome.Fail, $"token ids refused ({e.Message}); prompts would go as text, which only works when the server tokenizes exactly as we do");
        }
    }

    private (ProbeOutcome, string) CheckEcho()
    {
        var choice = Choice(_echoed ?? throw new RemoteModelException("no echoed answer"), 0);
        int got = EchoedPrompt.LogprobsList(choice, "tokens", Completions)?.Count ?? 0;
        string text = Text(choice);
        string expected = _idsAccepted ? _ours!.Decode(_prompt) : Texts[0];
        if (got == 0 && text.Length == 0)
            return (ProbeOutcome.Fail, "echo: true with max_tokens 0 returned no text and no tokens: the server ignores echo (llama.cpp's server does), so log-likelihood tasks cannot run on it");
        if (_idsAccepted && got != _prompt.Length)
            return (ProbeOutcome.Fail, $"{got} tokens echoed for a prompt of {_prompt.Length}");
        if (text != expected)
            return (ProbeOutcome.Fail, $"echoed text \"{Short(text)}\", expected the prompt \"{Short(expected)}\"");
        return (ProbeOutcome.Pass, $"{got} tokens echoed for {(_idsAccepted ? _prompt.Length + " sent" : "a text prompt")}; text \"{Short(text)}\"");
    }

    private (ProbeOutcome, string) CheckPromptLogProbs()
    {
        var choice = Choice(_echoed!, 0);
        int n = _idsAccepted ? _prompt.Length
            : EchoedPrompt.LogprobsList(choice, "token_logprobs", Completions)?.Count ?? 0;
        var read = EchoedPrompt.Read(choice, Math.Max(n, 2), topFrom: int.MaxValue, Completions);
        return (ProbeOutcome.Pass, $"token_logprobs: null, then {n - 1} finite values <= 0 (from {read.LogProbs.Skip(1).Min():F3} to {read.LogProbs.Skip(1).Max():F3})");
    }

    private (ProbeOutcome, string) CheckTopLogProbs()
    {
        var choice = Choice(_echoed!, 0);
        var lists = EchoedPrompt.LogprobsList(choice, "top_logprobs", Completions);
        if (lists is null) return (ProbeOutcome.Fail, "logprobs: 5 was asked and no top_logprobs came back: is-greedy (acc on LAMBADA-style tasks) cannot be decided");
        var read = EchoedPrompt.Read(choice, lists.Count, topFrom: 1, Completions);
        if (read.Tokens is null) return (ProbeOutcome.Fail, "no 'tokens' list: top_logprobs cannot be matched to the echoed tokens");
        for (int t = 1; t < lists.Count; t++)
        {
            var top = (JsonObject)lists[t]!;
            if (top.Count < TopN || top.Count > TopN + 1)
                return (ProbeOutcome.Fail, $"position {t}: {top.Count} entries for logprobs {TopN} (expected {TopN}, or {TopN + 1} with the chosen token added)");
            if (top[read.Tokens[t]!] is null)
                return (ProbeOutcome.Fail, $"position {t}: the echoed token \"{read.Tokens[t]}\" is not listed in top_logprobs (keys: {string.Join(", ", top.Select(p => $"\"{p.Key}\""))}): spelled differently from 'tokens', or missing");
            if (read.TopBest[t] < read.LogProbs[t] - EchoedPrompt.TopTolerance)
                return (ProbeOutcome.Fail, $"position {t}: token_logprobs {read.LogProbs[t]} is above the best of top_logprobs {read.TopBest[t]}");
        }
        return (ProbeOutcome.Pass, $"{lists.Count - 1} positions: {TopN}-{TopN + 1} entries each, the echoed token listed under its 'tokens' spelling with its token_logprobs value");
    }

    private (ProbeOutcome, string) CheckTokenization()
    {
        if (_serverTokenizer) return (ProbeOutcome.Skip, $"no -t given: the server's own tokenizer ({_ours!.Name}) is used, so ids agree by construction");
        ServerTokenizer server;
        try { server = ServerTokenizer.Connect(_client, options.BaseUrl); }
        catch (RemoteModelException e) { return (ProbeOutcome.Skip, $"the server exposes no tokenizer endpoints, ids cannot be compared ({Short(e.Message)})"); }
        int compared = 0;
        foreach (var text in Texts.Append(" leading space, then\nnew line; unicode: café 東京"))
        {
            var ours = _ours!.Encode(text);
            var theirs = server.Encode(text);
            int k = 0;
            while (k < Math.Min(ours.Count, theirs.Count) && ours[k] == theirs[k]) k++;
            if (k < ours.Count || k < theirs.Count)
                return (ProbeOutcome.Fail, $"\"{Short(text)}\": ours [{string.Join(",", ours)}], the server's [{string.Join(",", theirs)}]: first difference at index {k}");
            compared += ours.Count;
        }
        return (ProbeOutcome.Pass, $"{Texts.Length + 1} texts, {compared} ids identical to {_ours!.Name}'s (POST /tokenize)");
    }

    private (ProbeOutcome, string) CheckBos()
    {
        JsonNode answer;
        try { answer = Post(Body(Texts[0], 0, echo: true, logprobs: 0)); }
        catch (RemoteModelException e) when (e.Message.Contains("HTTP 4", StringComparison.Ordinal))
        {
            return (ProbeOutcome.Skip, $"text prompts refused ({Short(e.Message)}); token-id prompts carry our BOS");
        }
        int got = EchoedPrompt.LogprobsList(Choice(answer, 0), "token_logprobs", Completions)?.Count ?? 0;
        int withBos = _prompt.Length, without = _prompt.Length - (_ours!.BosId is null ? 0 : 1);
        string rule = _ours.BosId is int b ? $"ours starts prompts with BOS {b}" : "ours adds no BOS";
        if (got == withBos) return (ProbeOutcome.Pass, $"a text prompt echoes {got} tokens, as ours ({rule})");
        if (got == withBos + 1 && _ours.BosId is not null)
            return (ProbeOutcome.Fail, $"a text prompt echoes {got} tokens, ours {withBos}: the server adds a second BOS");
        if (got == without && _ours.BosId is not null)
            return (ProbeOutcome.Fail, $"a text prompt echoes {got} tokens, ours {withBos}: the server adds no BOS ({rule}); send token ids with BOS");
        return (ProbeOutcome.Fail, $"a text prompt echoes {got} tokens, ours {withBos} ({rule}): the tokenizations differ");
    }

    private (ProbeOutcome, string) CheckStop()
    {
        var prompt = PromptOf(_prompt, Texts[0]);
        string free = Text(Choice(Post(Body(prompt.DeepClone(), GenerateTokens, echo: false, logprobs: null)), 0));
        // A stop string from inside the greedy text: the second word (or a later character) must end the answer before it.
        int from = Math.Max(1, free.IndexOf(' ', 1));
        if (free.Length < from + 2) return (ProbeOutcome.Skip, $"greedy text too short to pick a stop string from: \"{free}\"");
        string stop = free.Substring(from, Math.Min(4, free.Length - from));
        var answer = Post(Body(prompt.DeepClone(), GenerateTokens, echo: false, logprobs: null, stop: [stop]));
        string text = Text(Choice(answer, 0));
        string expected = free[..free.IndexOf(stop, StringComparison.Ordinal)];
        string? reason = EchoedPrompt.Field(Choice(answer, 0), "finish_reason", Completions)?.ToString();
        if (text != expected) return (ProbeOutcome.Fail, $"stop \"{stop}\": got \"{Short(text)}\", expected \"{Short(expected)}\" (the greedy text before it)");
        return (ProbeOutcome.Pass, $"stop \"{stop}\" ended \"{Short(free)}\" at \"{Short(text)}\" (finish_reason {reason})");
    }

    private (ProbeOutcome, string) CheckDeterminism()
    {
        int[][] ids = [.. Texts.Select(t => (int[])[.. _ours!.BosId is int b ? [b] : Array.Empty<int>(), .. _ours.Encode(t)])];
        var single = Post(Body(PromptOf(ids[0], Texts[0]), GenerateTokens, echo: false, logprobs: null));
        var again = Post(Body(PromptOf(ids[0], Texts[0]), GenerateTokens, echo: false, logprobs: null));
        string a = Text(Choice(single, 0)), b = Text(Choice(again, 0));
        if (a != b) return (ProbeOutcome.Fail, $"the same greedy request twice: \"{Short(a)}\" then \"{Short(b)}\"");
        var batch = new JsonArray(PromptOf(ids[1], Texts[1]), PromptOf(ids[0], Texts[0]), PromptOf(ids[2], Texts[2]));
        string c = Text(Choice(Post(Body(batch, GenerateTokens, echo: false, logprobs: null)), 1));
        if (a != c) return (ProbeOutcome.Fail, $"greedy text alone \"{Short(a)}\", second of a batch of three \"{Short(c)}\"");
        if (!_idsAccepted) return (ProbeOutcome.Pass, $"greedy text identical repeated and batched: \"{Short(a)}\"");
        var alone = EchoedPrompt.Read(Choice(Post(Body(IdList(ids[0]), 0, echo: true, logprobs: 1)), 0), ids[0].Length, int.MaxValue, Completions);
        var batched = EchoedPrompt.Read(Choice(Post(Body(new JsonArray(IdList(ids[1]), IdList(ids[0]), IdList(ids[2])), 0, echo: true, logprobs: 1)), 1), ids[0].Length, int.MaxValue, Completions);
        double worst = Enumerable.Range(1, ids[0].Length - 1).Max(t => Math.Abs(alone.LogProbs[t] - batched.LogProbs[t]));
        if (worst > tolerance) return (ProbeOutcome.Fail, $"echoed log-probabilities alone and in a batch differ by up to {worst:G3} (tolerance {tolerance:G3})");
        return (ProbeOutcome.Pass, $"greedy text identical repeated and batched (\"{Short(a)}\"); echoed log-probabilities alone vs batched within {worst:G3}");
    }

    private (ProbeOutcome, string) CheckMaxContext()
    {
        if (_context is not int n) return (ProbeOutcome.Fail, "GET /models reports no max_model_len (pass --remote-context to state it)");
        if (n > MaxContextTried) return (ProbeOutcome.Skip, $"max_model_len {n} reported; not filled (above {MaxContextTried} tokens)");
        if (!_idsAccepted) return (ProbeOutcome.Skip, $"max_model_len {n} reported; filling it needs token-id prompts");
        int[] body = _prompt.Skip(_ours!.BosId is null ? 0 : 1).ToArray();
        int[] Fill(int count) => [.. _prompt.Take(_ours.BosId is null ? 0 : 1), .. Enumerable.Range(0, count).Select(i => body[i % body.Length])];
        var full = Fill(n - (_ours.BosId is null ? 0 : 1));
        var read = EchoedPrompt.Read(Choice(Post(Body(IdList(full), 0, echo: true, logprobs: 0)), 0), full.Length, int.MaxValue, Completions);
        try
        {
            var over = Fill(n + 2);
            Post(Body(IdList(over), 0, echo: true, logprobs: 0));
            return (ProbeOutcome.Fail, $"a prompt of {n} tokens scores, but one of {over.Length} (over max_model_len {n}) was accepted too: truncated silently?");
        }
        catch (RemoteModelException e) when (e.Message.Contains("HTTP 4", StringComparison.Ordinal))
        {
            return (ProbeOutcome.Pass, $"a prompt of {read.LogProbs.Length} tokens (max_model_len) scores; {n + 2 + (_ours.BosId is null ? 0 : 1)} is refused ({Short(e.Message, 80)})");
        }
    }

    private (ProbeOutcome, string) CheckReference()
    {
        if (reference is null) return (ProbeOutcome.Skip, "no --reference MODEL given");
        var requests = Texts.Select(t => { int cut = t.LastIndexOf(' '); return new LoglikelihoodRequest(t[..cut], t[cut..]); }).ToList();
        var expected = reference.Loglikelihood(requests, IProgressSink.None);
        using var remote = RemoteLanguageModel.Connect(options with { Model = _model }, _ours, null);
        var got = remote.Loglikelihood(requests, IProgressSink.None);
        double worst = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            double d = Math.Abs(got[i].LogLikelihood - expected[i].LogLikelihood);
            worst = Math.Max(worst, d);
            if (d > tolerance || got[i].IsGreedy != expected[i].IsGreedy)
                return (ProbeOutcome.Fail, $"request {i} (\"{Short(requests[i].Continuation)}\"): server {got[i].LogLikelihood:F6} greedy {got[i].IsGreedy}, {reference.Identity.Name} {expected[i].LogLikelihood:F6} greedy {expected[i].IsGreedy} (tolerance {tolerance:G3})");
        }
        return (ProbeOutcome.Pass, $"{requests.Count} continuations: log-likelihoods within {worst:G3} of {reference.Identity.Name} (tolerance {tolerance:G3}), same is-greedy");
    }

    private static string Short(string s, int n = 60) => s.Length <= n ? s.Replace("\n", "\\n") : s[..n].Replace("\n", "\\n") + "...";
}
