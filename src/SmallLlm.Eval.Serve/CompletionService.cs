using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve;

/// <summary>
/// Answers a parsed completions request in OpenAI's legacy completions shape. Choice p·n+k is sample k of prompt p.
/// With echo, <c>tokens</c>/<c>token_logprobs</c>/<c>top_logprobs</c> cover the prompt too and start with a null
/// (the first token has no context), as vLLM and OpenAI do.
/// </summary>
public sealed class CompletionService(ICompletionEngine engine, EngineQueue queue)
{
    private long _ids;
    private readonly ITextTokenizer _tok = engine.Tokenizer;
    private readonly string?[] _pieces = new string?[engine.VocabSize];

    public async Task<JsonObject> CompleteAsync(CompletionRequest request)
    {
        var choices = new JsonArray();
        int promptTokens = 0, completionTokens = 0;
        // Queue every prompt's work before awaiting any, so a many-prompt request becomes one batch.
        queue.Admit(request.Prompts.Count * request.N);
        var pending = new List<Task<JsonObject>>();
        for (int p = 0; p < request.Prompts.Count; p++)
        {
            promptTokens += request.Prompts[p].Length;
            for (int k = 0; k < request.N; k++)
                pending.Add(ChoiceAsync(request, p, k));
        }
        var done = await Task.WhenAll(pending);
        for (int i = 0; i < done.Length; i++)
        {
            done[i]["index"] = i;
            completionTokens += (int)done[i]["_completion_tokens"]!;
            done[i].Remove("_completion_tokens");
            choices.Add(done[i]);
        }
        return new JsonObject
        {
            ["id"] = $"cmpl-{Interlocked.Increment(ref _ids)}",
            ["object"] = "text_completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request.Model ?? engine.ModelName,
            ["choices"] = choices,
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
    }

    private async Task<JsonObject> ChoiceAsync(CompletionRequest r, int p, int k)
    {
        int[] prompt = r.Prompts[p];
        int topN = r.LogProbs ?? 0;
        int[] generated;
        bool stopped;
        PromptScores? scores = null;
        if (r.MaxTokens == 0) { generated = []; stopped = false; }
        else if (r.Temperature == 0 && r.MaxTokens == 1)
        {
            // Greedy single token (lm-eval's log-likelihood payload): the batched scorer's last position gives it.
            scores = await queue.Score([prompt], Math.Max(1, topN), includeLast: true)[0];
            var best = scores.Top[^1][0];
            generated = [best.Id];
            stopped = best.Id == _tok.EosId;
        }
        else
        {
            ulong seed = (r.Seed ?? (ulong)Random.Shared.NextInt64()) + (ulong)k;
            (generated, stopped) = await queue.Generate(prompt, r.MaxTokens, r.Temperature, r.TopP, seed, r.Stop);
        }

        // Decoded after the prompt (one rule with `generate` and the task path): the first word keeps its leading space.
        string genText = _tok.DecodeAfter(prompt, generated);
        int cut = StopText.IndexOf(genText, r.Stop);
        if (cut >= 0) { genText = genText[..cut]; stopped = true; }
        string promptText = r.PromptTexts[p] ?? _tok.Decode(prompt);
        var choice = new JsonObject
        {
            ["text"] = r.Echo ? promptText + genText : genText,
            ["logprobs"] = null,
            ["finish_reason"] = stopped ? "stop" : "length",
            ["_completion_tokens"] = generated.Length,
        };
        if (r.LogProbs is null) return choice;

        int[] all = [.. prompt, .. generated];
        if (scores is null || scores.TokenLogProbs.Length < all.Length - 1)
            scores = await queue.Score([all], topN, includeLast: false)[0];
        int from = r.Echo ? 0 : prompt.Length; // first token returned
        var (pieces, offsets) = Pieces(all);
        var tokens = new JsonArray();
        var tokenLogProbs = new JsonArray();
        var topLogProbs = new JsonArray();
        var textOffset = new JsonArray();
        int shift = r.Echo ? 0 : -offsets[prompt.Length]; // without echo, offsets count from the completion's start
        for (int i = from; i < all.Length; i++)
        {
            tokens.Add(pieces[i]);
            textOffset.Add(offsets[i] + shift);
            if (i == 0) { tokenLogProbs.Add(null); topLogProbs.Add(null); continue; }
            float lp = scores.TokenLogProbs[i - 1];
            tokenLogProbs.Add(lp);
            var top = new JsonObject();
            if (topN > 0)
                foreach (var (id, value) in scores.Top[i - 1].Take(topN))
                {
                    // Spelled as `tokens` spells it (in context), so the chosen token is never listed twice.
                    string key = id == all[i] ? pieces[i] : PieceAfter(all, i, id);
                    if (!top.ContainsKey(key)) top[key] = value;
                }
            // The chosen token is always listed, as OpenAI and vLLM do (N+1 entries when it is not in the top N).
            if (!top.ContainsKey(pieces[i])) top[pieces[i]] = lp;
            topLogProbs.Add(top);
        }
        choice["logprobs"] = new JsonObject
        {
            ["tokens"] = tokens,
            ["token_logprobs"] = tokenLogProbs,
            ["top_logprobs"] = topLogProbs,
            ["text_offset"] = textOffset,
        };
        return choice;
    }

    /// <summary>One token's text alone (its display form when it decodes to nothing), cached: top lists name a few
    /// tokens per position of every prompt.</summary>
    private string Piece(int id)
    {
        if ((uint)id < (uint)_pieces.Length && _pieces[id] is string cached) return cached;
        string s = _tok.Decode([id]);
        if (s.Length == 0) s = _tok.IdToPiece(id);
        if ((uint)id < (uint)_pieces.Length) _pieces[id] = s; // races write the same string
        return s;
    }

    /// <summary>How token <paramref name="id"/> would read at position <paramref name="i"/> of <paramref name="ids"/>:
    /// decoded after the tokens before it (its display form when that is empty).</summary>
    private string PieceAfter(int[] ids, int i, int id)
    {
        if (i == 0) return Piece(id);
        string s = _tok.DecodeAfter(new ArraySegment<int>(ids, Math.Max(0, i - PieceWindow), Math.Min(i, PieceWindow)), [id]);
        return s.Length > 0 ? s : _tok.IdToPiece(id);
    }

    /// <summary>Tokens of context a piece is decoded with (8 to 15): enough for a multi-byte character and SentencePiece's
    /// leading-space rule, and it keeps pieces linear in the prompt's length (not a decode of every prefix).</summary>
    private const int PieceWindow = 8;

    /// <summary>Each token's text as the difference of two decodes that end before and at it (so spaces and multi-byte
    /// characters land on the right token), and where it starts in the decoded text. Decodes start at block
    /// boundaries, so one token's decode is the next one's "before".</summary>
    private (string[] Pieces, int[] Offsets) Pieces(int[] ids)
    {
        var pieces = new string[ids.Length];
        var offsets = new int[ids.Length + 1];
        int length = 0, from = -1;
        string before = "";
        for (int i = 0; i < ids.Length; i++)
        {
            int w = Math.Max(0, (i / PieceWindow - 1) * PieceWindow);
            if (w != from) before = i == w ? "" : _tok.Decode(new ArraySegment<int>(ids, w, i - w));
            from = w;
            string text = _tok.Decode(new ArraySegment<int>(ids, w, i + 1 - w));
            offsets[i] = length;
            bool grows = text.Length > before.Length && text.StartsWith(before, StringComparison.Ordinal);
            pieces[i] = grows ? text[before.Length..] : Piece(ids[i]);
            if (grows) length += pieces[i].Length;
            before = text;
        }
        offsets[ids.Length] = length;
        return (pieces, offsets);
    }
}
