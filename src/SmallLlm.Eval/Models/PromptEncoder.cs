using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>
/// lm-evaluation-harness's prompt rules on a backend's tokenizer, shared by every backend so that they score the same
/// tokens: <c>_encode_pair</c> (trailing context spaces move into the continuation, context + continuation encoded
/// together, the continuation is what follows the context's own encoding), the prefix token (BOS, else EOS) before a
/// context, and truncation on the left to fit the context window. Encodings are cached: prompts are asked twice
/// (fitting, then scoring) and contexts repeat across choices.
/// </summary>
/// <param name="addBos">The model starts every prompt with <paramref name="prefixToken"/>.</param>
/// <param name="prefixToken">The token put before a context (and before a rolling document): BOS, else EOS.</param>
public sealed class PromptEncoder(ITextTokenizer tokenizer, bool addBos, int prefixToken, int contextLength)
{
    private const int CacheLimit = 16_384; // bound the memory of a long run
    private readonly Dictionary<string, int[]> _encodings = new();

    public ITextTokenizer Tokenizer => tokenizer;
    public bool AddBos => addBos;
    public int PrefixToken => prefixToken;
    public int ContextLength => contextLength;

    /// <summary>The tokenizer's ids for <paramref name="text"/> (no BOS), cached; safe to call from several threads.</summary>
    public int[] Encode(string text)
    {
        lock (_encodings)
            if (_encodings.TryGetValue(text, out var ids)) return ids;
        int[] encoded = [.. tokenizer.Encode(text)];
        lock (_encodings)
        {
            if (_encodings.Count > CacheLimit) _encodings.Clear();
            _encodings[text] = encoded;
        }
        return encoded;
    }

    /// <summary>Tokens <paramref name="text"/> takes as a prompt (the prefix included when the model adds one).</summary>
    public int CountPromptTokens(string text) => Encode(text).Length + (addBos ? 1 : 0);

    /// <summary>Context (prefixed) and continuation token ids, split as lm-evaluation-harness's _encode_pair does.</summary>
    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation)
    {
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        int[] whole = [.. tokenizer.Encode(context + continuation)];
        int[] ctx = Encode(context);
        int[] cont = whole.Length > ctx.Length ? whole[ctx.Length..] : Encode(continuation);
        return (addBos || ctx.Length == 0 ? [prefixToken, .. ctx] : ctx, cont);
    }

    /// <summary>The token requests a scorer gets: pairs encoded, prefixed, cut on the left to fit the context.</summary>
    public (List<ContinuationRequest> Requests, bool[] Truncated) Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        int max = contextLength;
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

    /// <summary>A generation prompt: prefixed, and cut on the left to leave room for the tokens to generate, as lm-evaluation-harness does.</summary>
    public int[] GenerationPrompt(GenerateRequest request)
    {
        int[] ctx = addBos ? [prefixToken, .. Encode(request.Context)] : Encode(request.Context);
        if (ctx.Length == 0) ctx = [prefixToken];
        int room = Math.Max(1, contextLength - request.MaxTokens);
        return ctx.Length > room ? ctx[^room..] : ctx;
    }
}
