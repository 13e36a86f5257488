using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Remote;

/// <summary>
/// The server's own tokenizer, reached over HTTP as vLLM and llama.cpp's server expose it (and lm-eval's
/// <c>tokenizer_backend=remote</c> reads it): <c>GET /tokenizer_info</c> for the BOS/EOS text, <c>POST /tokenize</c>
/// (special tokens off: <see cref="ITextTokenizer.Encode"/> never adds BOS) and <c>POST /detokenize</c>, at the server's
/// root (the API root without its <c>/v1</c>). Encodings are cached: a run asks for the same contexts many times.
/// </summary>
public sealed class ServerTokenizer : ITextTokenizer
{
    private const int CacheLimit = 65_536;
    private readonly CompletionsClient _client;
    private readonly string _root;
    private readonly ConcurrentDictionary<string, int[]> _encodings = new();

    public string Name { get; }
    /// <summary>Not reported by the servers' tokenizer endpoints; 0 means unknown.</summary>
    public int VocabSize => 0;
    public int? BosId { get; }
    public int? EosId { get; }

    private ServerTokenizer(CompletionsClient client, string root, int? bos, int? eos)
    {
        _client = client;
        _root = root;
        BosId = bos;
        EosId = eos;
        Name = $"server:{root}";
    }

    /// <summary>The server root for an API root: http://host:port/v1 → http://host:port.</summary>
    public static string RootOf(string baseUrl) => baseUrl.EndsWith("/v1", StringComparison.Ordinal) ? baseUrl[..^3] : baseUrl;

    /// <summary>Reads the server's tokenizer description; a server without the endpoints is a named error.</summary>
    public static ServerTokenizer Connect(CompletionsClient client, string baseUrl)
    {
        string root = RootOf(baseUrl);
        JsonNode info;
        try { info = Run(() => client.GetAbsoluteAsync(root + "/tokenizer_info")); }
        catch (RemoteModelException e)
        {
            throw new RemoteModelException(
                $"{baseUrl}: no tokenizer given and the server does not expose its own ({e.Message}): pass --tokenizer NAME|PATH (the model's own tokenizer), or use a server with /tokenize and /tokenizer_info (vLLM, llama.cpp's server, `smalleval serve`)", e);
        }
        var probe = new ServerTokenizer(client, root, null, null);
        int? bos = probe.SpecialId(info, "bos_token");
        int? eos = probe.SpecialId(info, "eos_token");
        // A tokenizer that adds no BOS to a prompt (Qwen, GPT-2 style) has a bos_token it never uses.
        if (bos is int b && !(probe.TokenizeRaw("a", special: true) is [var first, ..] && first == b)) bos = null;
        return new ServerTokenizer(client, root, bos, eos);
    }

    private int? SpecialId(JsonNode info, string field)
    {
        if (EchoedPrompt.Field(info, field, $"{_root}/tokenizer_info") is not JsonValue v || !v.TryGetValue(out string? text) || text.Length == 0) return null;
        var ids = TokenizeRaw(text, special: false);
        return ids.Length == 1 ? ids[0]
            : throw new RemoteModelException($"{_root}/tokenize: {field} \"{text}\" is {ids.Length} tokens, expected one");
    }

    private static T Run<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();

    /// <summary>The server's ids for <paramref name="text"/>; <paramref name="special"/>: with the BOS it adds to a prompt.</summary>
    public int[] TokenizeRaw(string text, bool special)
    {
        // vLLM names the fields prompt/add_special_tokens, llama.cpp's server content/add_special.
        var body = new JsonObject { ["prompt"] = text, ["content"] = text, ["add_special_tokens"] = special, ["add_special"] = special };
        var answer = Run(() => _client.PostAbsoluteAsync(_root + "/tokenize", body));
        string where = $"{_root}/tokenize";
        var tokens = EchoedPrompt.Field(answer, "tokens", where) as JsonArray
            ?? throw new RemoteModelException($"{where}: no 'tokens' list in the answer");
        return tokens.Select((t, i) => t is JsonValue v && v.TryGetValue(out int id) ? id
            : throw new RemoteModelException($"{where}: tokens[{i}] is not a token id: {t?.ToJsonString() ?? "null"}")).ToArray();
    }

    public IReadOnlyList<int> Encode(string text)
    {
        if (text.Length == 0) return [];
        if (_encodings.TryGetValue(text, out var ids)) return ids;
        ids = TokenizeRaw(text, special: false);
        if (_encodings.Count < CacheLimit) _encodings[text] = ids;
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        if (ids.Count == 0) return "";
        var answer = Run(() => _client.PostAbsoluteAsync(_root + "/detokenize", new JsonObject { ["tokens"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) }));
        string where = $"{_root}/detokenize";
        // vLLM answers {"prompt": ...}, llama.cpp's server {"content": ...}.
        var text = EchoedPrompt.Field(answer, "prompt", where) ?? EchoedPrompt.Field(answer, "content", where);
        return text is JsonValue v && v.TryGetValue(out string? s) ? s : throw new RemoteModelException($"{where}: no 'prompt' or 'content' text in the answer");
    }

    public string IdToPiece(int id) => Decode([id]);

    public int CountTokens(string text) => Encode(text).Count;
}
