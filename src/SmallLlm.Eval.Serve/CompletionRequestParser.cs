using System.Text.Json;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve;

/// <summary>
/// Reads a completions request body strictly: every field this server knows is type- and range-checked and each
/// refusal names the field, as vLLM does. Unknown fields are ignored (OpenAI clients send "user", "suffix", ...).
/// </summary>
public sealed class CompletionRequestParser(ITextTokenizer tokenizer, int vocabSize, int contextLength, int maxPrompts = 1024)
{
    public const int MaxLogProbs = 20;
    public const int MaxN = 16;
    public const int MaxStops = 16; // OpenAI allows 4; vLLM any number (HumanEval uses 5)

    public CompletionRequest Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.ToArray()); }
        catch (JsonException e) { throw ApiException.BadRequest($"the body is not valid JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"the body must be a JSON object, got {root.ValueKind}");
            if (Get(root, "stream") is { } stream && stream.ValueKind == JsonValueKind.True)
                throw ApiException.BadRequest("stream: streaming is not supported by this server", "stream");
            string? model = Get(root, "model") is { } m ? String(m, "model") : null;
            var (prompts, texts) = Prompts(root);
            int maxTokens = Get(root, "max_tokens") is { } mt ? Int(mt, "max_tokens", 0, contextLength) : 16;
            bool echo = Get(root, "echo") is { } e ? Bool(e, "echo") : false;
            int? logprobs = Get(root, "logprobs") is { } lp && lp.ValueKind != JsonValueKind.Null ? Int(lp, "logprobs", 0, MaxLogProbs) : null;
            double temperature = Get(root, "temperature") is { } t ? Number(t, "temperature", 0, 2) : 1.0;
            double topP = Get(root, "top_p") is { } tp ? Number(tp, "top_p", double.Epsilon, 1) : 1.0;
            ulong? seed = Get(root, "seed") is { } s && s.ValueKind != JsonValueKind.Null ? Seed(s) : null;
            var stop = Get(root, "stop") is { } st ? Stops(st) : [];
            int n = Get(root, "n") is { } nn ? Int(nn, "n", 1, MaxN) : 1;
            if (maxTokens == 0 && !echo) throw ApiException.BadRequest("max_tokens: 0 is only allowed with echo: true (nothing to return otherwise)", "max_tokens");
            for (int i = 0; i < prompts.Count; i++)
            {
                // Positions fed: the prompt, then every generated token but the last. With max_tokens 0 the prompt's own
                // last token is never fed, so a prompt one longer than the context can still be scored.
                int positions = prompts[i].Length + maxTokens - 1;
                if (positions > contextLength)
                    throw ApiException.BadRequest(
                        $"prompt {i}: {prompts[i].Length} prompt tokens + max_tokens {maxTokens} need {positions} positions, more than the model's context of {contextLength}", "prompt");
            }
            return new CompletionRequest(model, prompts, texts, maxTokens, echo, logprobs, temperature, topP, seed, stop, n);
        }
    }

    private static JsonElement? Get(JsonElement root, string name) => root.TryGetProperty(name, out var v) ? v : null;

    private (List<int[]>, List<string?>) Prompts(JsonElement root)
    {
        if (Get(root, "prompt") is not { } p || p.ValueKind == JsonValueKind.Null) throw ApiException.BadRequest("prompt is required", "prompt");
        var prompts = new List<int[]>();
        var texts = new List<string?>();
        switch (p.ValueKind)
        {
            case JsonValueKind.String:
                Add(p.GetString()!);
                break;
            case JsonValueKind.Array:
                int count = p.GetArrayLength();
                if (count == 0) throw ApiException.BadRequest("prompt is an empty list", "prompt");
                var first = p[0].ValueKind;
                if (first == JsonValueKind.Number) { prompts.Add(Ids(p, "prompt")); texts.Add(null); break; }
                if (count > maxPrompts) throw ApiException.BadRequest($"prompt: {count} prompts in one request, at most {maxPrompts}", "prompt");
                int i = 0;
                foreach (var item in p.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String) Add(item.GetString()!);
                    else if (item.ValueKind == JsonValueKind.Array) { prompts.Add(Ids(item, $"prompt[{i}]")); texts.Add(null); }
                    else throw ApiException.BadRequest($"prompt[{i}] must be a string or a list of token ids, got {item.ValueKind}", "prompt");
                    i++;
                }
                break;
            default:
                throw ApiException.BadRequest($"prompt must be a string, a list of strings, a list of token ids or a list of lists of token ids; got {p.ValueKind}", "prompt");
        }
        return (prompts, texts);

        void Add(string text)
        {
            if (text.Length == 0) throw ApiException.BadRequest("prompt: an empty string has no tokens", "prompt");
            var ids = tokenizer.Encode(text);
            prompts.Add(tokenizer.BosId is int bos ? [bos, .. ids] : [.. ids]);
            texts.Add(text);
        }
    }

    private int[] Ids(JsonElement list, string field)
    {
        int n = list.GetArrayLength();
        if (n == 0) throw ApiException.BadRequest($"{field} is an empty list of token ids", "prompt");
        var ids = new int[n];
        int i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id))
                throw ApiException.BadRequest($"{field}[{i}] is not a token id (an integer): {item.GetRawText()}", "prompt");
            if (id < 0 || id >= vocabSize)
                throw ApiException.BadRequest($"{field}[{i}]: token id {id} is outside the vocabulary [0, {vocabSize})", "prompt");
            ids[i++] = id;
        }
        return ids;
    }

    private static string String(JsonElement e, string field) => e.ValueKind == JsonValueKind.String
        ? e.GetString()! : throw ApiException.BadRequest($"{field} must be a string, got {e.ValueKind}", field);

    private static bool Bool(JsonElement e, string field) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw ApiException.BadRequest($"{field} must be true or false, got {e.GetRawText()}", field),
    };

    private static int Int(JsonElement e, string field, int min, int max)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v))
            throw ApiException.BadRequest($"{field} must be an integer, got {e.GetRawText()}", field);
        if (v < min || v > max) throw ApiException.BadRequest($"{field} {v} is out of range [{min}, {max}]", field);
        return v;
    }

    private static double Number(JsonElement e, string field, double min, double max)
    {
        if (e.ValueKind != JsonValueKind.Number) throw ApiException.BadRequest($"{field} must be a number, got {e.GetRawText()}", field);
        double v = e.GetDouble();
        if (!(v >= min && v <= max)) throw ApiException.BadRequest($"{field} {v} is out of range [{(min == double.Epsilon ? "0 (exclusive)" : min)}, {max}]", field);
        return v;
    }

    private static ulong Seed(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v))
            throw ApiException.BadRequest($"seed must be an integer, got {e.GetRawText()}", "seed");
        return unchecked((ulong)v);
    }

    private static List<string> Stops(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return [];
        if (e.ValueKind == JsonValueKind.String) return [e.GetString()!];
        if (e.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"stop must be a string or a list of strings, got {e.ValueKind}", "stop");
        var list = new List<string>();
        foreach (var item in e.EnumerateArray())
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw ApiException.BadRequest($"stop[{list.Count}] must be a string, got {item.ValueKind}", "stop"));
        if (list.Count > MaxStops) throw ApiException.BadRequest($"stop: {list.Count} stop sequences, at most {MaxStops}", "stop");
        return list;
    }
}
