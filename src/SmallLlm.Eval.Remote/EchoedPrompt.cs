using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Remote;

/// <summary>
/// One choice of an echoed completions answer (echo, max_tokens 0, logprobs N) read strictly: a log-probability per
/// prompt token, the first null (it has no context), every other one a finite number at most
/// <see cref="PositiveTolerance"/>; <c>top_logprobs</c> present where is-greedy needs it, and agreeing with
/// <c>token_logprobs</c> where it lists the echoed token. Anything else is a <see cref="RemoteModelException"/> that
/// names the field and position: a server that omits or shifts these fields would otherwise score silently wrong
/// (every answer "greedy", or log-probabilities of the neighbouring token).
/// </summary>
public sealed class EchoedPrompt
{
    /// <summary>Largest log-probability accepted: float32 log-softmax can round a certain token to a few ulps above 0.</summary>
    public const double PositiveTolerance = 1e-4;

    /// <summary>How far a token's value in <c>top_logprobs</c> may be from its <c>token_logprobs</c> entry.</summary>
    public const double TopTolerance = 1e-4;

    /// <summary>Log-probability of token t given tokens 0..t-1 (index 0 is NaN: no context).</summary>
    public double[] LogProbs { get; }

    /// <summary>The echoed tokens' text, as the server spells them (null when it sends none).</summary>
    public string?[]? Tokens { get; }

    /// <summary>Per position, the best value in the top list (NaN where the server sent none).</summary>
    public double[] TopBest { get; }

    private EchoedPrompt(double[] logProbs, string?[]? tokens, double[] topBest)
    {
        LogProbs = logProbs;
        Tokens = tokens;
        TopBest = topBest;
    }

    /// <summary>Reads a choice echoing a prompt of <paramref name="promptTokens"/> tokens; positions from
    /// <paramref name="topFrom"/> on must carry a top list (int.MaxValue: none needed).</summary>
    /// <param name="where">Names the answer in errors (URL and choice).</param>
    public static EchoedPrompt Read(JsonNode? choice, int promptTokens, int topFrom, string where)
    {
        var logprobs = Field(choice, "logprobs", where);
        if (logprobs is not JsonObject)
            throw new RemoteModelException($"{where}: no 'logprobs' object in the answer: the server does not return the prompt's log-probabilities (echo + logprobs), which log-likelihood tasks need");
        var values = Field(logprobs, "token_logprobs", where) as JsonArray
            ?? throw new RemoteModelException($"{where}: 'logprobs.token_logprobs' is missing or not a list");
        if (values.Count < promptTokens)
            throw new RemoteModelException(
                $"{where}: {values.Count} log-probabilities echoed for a prompt of {promptTokens} tokens: the server does not honour echo (llama.cpp's server ignores it), so log-likelihood scores would be wrong");
        if (values.Count > promptTokens)
            throw new RemoteModelException($"{where}: {values.Count} log-probabilities for a prompt of {promptTokens} tokens with max_tokens 0: the echoed positions do not line up with the prompt");

        string?[]? tokens = null;
        if (Field(logprobs, "tokens", where) is JsonArray t)
        {
            if (t.Count != promptTokens)
                throw new RemoteModelException($"{where}: 'logprobs.tokens' has {t.Count} entries for a prompt of {promptTokens} tokens");
            tokens = t.Select((x, i) => x is JsonValue v && v.TryGetValue(out string? s) ? s
                : throw new RemoteModelException($"{where}: logprobs.tokens[{i}] is not a string: {x?.ToJsonString() ?? "null"}")).ToArray();
        }

        var lp = new double[promptTokens];
        lp[0] = double.NaN;
        if (promptTokens > 0 && values[0] is not null)
            throw new RemoteModelException(
                $"{where}: token_logprobs[0] is {values[0]!.ToJsonString()}, expected null (the first token has no context): the log-probabilities are shifted by a position");
        for (int i = 1; i < promptTokens; i++)
        {
            double v = Number(values[i], $"token_logprobs[{i}]", where);
            if (v > PositiveTolerance)
                throw new RemoteModelException($"{where}: token_logprobs[{i}] = {v} is positive: not a log-probability");
            lp[i] = v;
        }

        var best = new double[promptTokens];
        Array.Fill(best, double.NaN);
        var top = Field(logprobs, "top_logprobs", where);
        if (topFrom < promptTokens && top is not JsonArray)
            throw new RemoteModelException(
                $"{where}: 'logprobs.top_logprobs' is {(top is null ? "missing" : "not a list")}: is-greedy cannot be decided without it (refusing rather than calling every answer greedy)");
        if (top is JsonArray list)
        {
            if (list.Count != promptTokens)
                throw new RemoteModelException($"{where}: 'logprobs.top_logprobs' has {list.Count} entries for a prompt of {promptTokens} tokens");
            for (int i = 1; i < promptTokens; i++)
            {
                if (list[i] is not JsonObject alternatives || alternatives.Count == 0)
                {
                    if (i < topFrom && list[i] is null) continue;
                    throw new RemoteModelException($"{where}: top_logprobs[{i}] is {list[i]?.ToJsonString() ?? "null"}, expected an object of token: log-probability");
                }
                double max = double.NegativeInfinity;
                foreach (var (key, node) in alternatives)
                {
                    double v = Number(node, $"top_logprobs[{i}][\"{key}\"]", where);
                    if (v > PositiveTolerance) throw new RemoteModelException($"{where}: top_logprobs[{i}][\"{key}\"] = {v} is positive: not a log-probability");
                    max = Math.Max(max, v);
                }
                if (tokens?[i] is string own && alternatives[own] is JsonNode listed
                    && Math.Abs(Number(listed, $"top_logprobs[{i}][\"{own}\"]", where) - lp[i]) > TopTolerance)
                    throw new RemoteModelException(
                        $"{where}: position {i}: top_logprobs gives \"{own}\" {listed.ToJsonString()} but token_logprobs gives {lp[i]}: the two lists disagree (shifted positions?)");
                best[i] = max;
            }
        }
        return new EchoedPrompt(lp, tokens, best);
    }

    /// <summary>lm-eval's is-greedy rule over positions [from, to): each token's log-probability is the best of its top list.</summary>
    public bool IsGreedy(int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!(LogProbs[i] >= TopBest[i])) return false;
        return true;
    }

    /// <summary>An answer choice's <c>logprobs.NAME</c> list (<c>token_logprobs</c>, <c>top_logprobs</c>, <c>tokens</c>); null
    /// when absent or not a list.</summary>
    internal static JsonArray? LogprobsList(JsonNode? choice, string name, string where) => Field(Field(choice, "logprobs", where), name, where) as JsonArray;

    internal static JsonNode? Field(JsonNode? node, string name, string where) => node switch
    {
        null => null,
        JsonObject o => o[name],
        _ => throw new RemoteModelException($"{where}: expected an object holding '{name}', got {node.ToJsonString()[..Math.Min(80, node.ToJsonString().Length)]}"),
    };

    internal static double Number(JsonNode? node, string field, string where)
    {
        if (node is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d)) return d;
        throw new RemoteModelException($"{where}: {field} is {node?.ToJsonString() ?? "null"}, expected a finite number");
    }
}
