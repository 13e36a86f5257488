using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>
/// Batched log-likelihood scoring on a <see cref="LlamaModel"/>. Requests that share a context are scored from one
/// forward pass over that context: single-token continuations read the context's last position, longer ones continue
/// from its KV cache. Contexts that share a long prefix (few-shot examples) run it once and score their suffixes in
/// batches on top of its KV cache, which is kept between calls (<see cref="PrefixKvStore"/>). Other requests are sorted
/// by length and packed into right-padded batches. Only scored positions go through the LM head.
/// </summary>
public sealed class TokenScorer : IDisposable
{
    private readonly LlamaModel _model;
    private readonly ScoringOptions _options;
    private readonly PrefixKvStore _prefixes;

    public TokenScorer(LlamaModel model, ScoringOptions? options = null)
    {
        _model = model;
        _options = options ?? new ScoringOptions();
        _prefixes = new PrefixKvStore(_options.PrefixCacheBytes);
    }

    public LlamaModel Model => _model;

    /// <summary>Tokens run through the model so far (padding included): the numerator of tokens/s.</summary>
    public long TokensProcessed { get; private set; }

    /// <summary>Tokens run through the model so far, padding not counted: what the work costs.</summary>
    public long TokensWithoutPadding { get; private set; }

    /// <summary>Prefixes run once and reused, and the prefix KV bytes kept now.</summary>
    public int PrefixesComputed { get; private set; }
    public long PrefixCacheBytes => _prefixes.Bytes;

    /// <summary>A span of targets in a row: position <see cref="Start"/> of the row's input predicts Targets[0].</summary>
    private sealed record Span(int Request, int Start, int[] Targets, int Offset);

    private sealed record Row(int[] Input, List<Span> Spans);

    public IReadOnlyList<ContinuationScore> Loglikelihood(IReadOnlyList<ContinuationRequest> requests, Action<int, int>? progress = null)
    {
        var c = _model.Config;
        var results = new (float[] Lp, bool[] Greedy)[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.Context.Length == 0) throw new ArgumentException($"request {i}: the context is empty (start it with BOS)");
            if (r.Continuation.Length == 0) throw new ArgumentException($"request {i}: the continuation is empty");
            CheckIds(r.Context, $"request {i} context");
            CheckIds(r.Continuation, $"request {i} continuation");
            int inputLength = r.Context.Length + r.Continuation.Length - 1;
            if (inputLength > c.MaxPositionEmbeddings)
                throw new ArgumentException(
                    $"request {i}: {r.Context.Length} context + {r.Continuation.Length} continuation tokens need {inputLength} positions, more than the model's context of {c.MaxPositionEmbeddings}");
            results[i] = (new float[r.Continuation.Length], new bool[r.Continuation.Length]);
        }

        var rows = new List<Row>();
        var sharedGroups = new List<List<int>>();
        var contextGroups = Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].Context, SequenceComparer.Instance)
            .Select(g => (Context: g.Key, Members: g.ToList())).ToList();
        var prefixGroups = SharedPrefixes.Find(contextGroups.Select(g => g.Context).ToList(), _options.MinSharedPrefix);
        var onPrefix = new bool[contextGroups.Count];
        foreach (var pg in prefixGroups) foreach (int g in pg.Members) onPrefix[g] = true;
        // Contexts that start with a prefix kept from an earlier call (the rest of a subject cut by a chunk boundary).
        var onKept = new Dictionary<KeptPrefix, List<int>>(ReferenceEqualityComparer.Instance);
        for (int g = 0; g < contextGroups.Count; g++)
        {
            if (onPrefix[g]) continue;
            var (context, members) = contextGroups[g];
            if (_prefixes.FindLongest(context, context.Length - 1, _options.MinSharedPrefix) is { } kept)
            {
                if (!onKept.TryGetValue(kept, out var list)) onKept[kept] = list = [];
                list.Add(g);
                continue;
            }
            if (members.Count == 1)
            {
                var r = requests[members[0]];
                rows.Add(new Row([.. context, .. r.Continuation[..^1]],
                    [new Span(members[0], context.Length - 1, r.Continuation, 0)]));
            }
            else if (members.All(m => requests[m].Continuation.Length == 1))
                rows.Add(new Row(context, members.Select(m => new Span(m, context.Length - 1, requests[m].Continuation, 0)).ToList()));
            else
                sharedGroups.Add(members);
        }

        int done = 0;
        void Report(int n) { done += n; progress?.Invoke(done, requests.Count); }

        foreach (var batch in Pack(rows))
        {
            RunRows(batch, results, cache: null);
            Report(batch.Sum(b => b.Spans.Select(s => s.Request).Distinct().Count()));
        }
        foreach (var members in sharedGroups)
        {
            ScoreSharedContext(requests, members, results);
            Report(members.Count);
        }
        // Kept prefixes first: running a new prefix may evict them.
        foreach (var (kept, groups) in onKept)
            ScoreFromPrefix(requests, groups.Select(g => contextGroups[g]).ToList(), kept.Tokens.Length, kept, results, Report);
        foreach (var pg in prefixGroups)
            ScoreFromPrefix(requests, pg.Members.Select(g => contextGroups[g]).ToList(), pg.Length, null, results, Report);

        var scores = new ContinuationScore[requests.Count];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = new ContinuationScore(results[i].Lp.Sum(x => (double)x), results[i].Greedy.All(g => g), results[i].Lp);
        return scores;
    }

    /// <summary>
    /// Rolling log-likelihood of whole documents, each prefixed by <paramref name="prefixToken"/> (BOS), in windows of the
    /// model's context. Returns per-document per-token log-probabilities (one per document token).
    /// </summary>
    public IReadOnlyList<float[]> LoglikelihoodRolling(IReadOnlyList<int[]> documents, int prefixToken, int? stride = null, Action<int, int>? progress = null)
    {
        var requests = new List<ContinuationRequest>();
        var owner = new List<int>();
        for (int d = 0; d < documents.Count; d++)
            foreach (var w in RollingWindows.Build(documents[d], prefixToken, _model.Config.MaxPositionEmbeddings, stride))
            {
                requests.Add(w);
                owner.Add(d);
            }
        var scores = Loglikelihood(requests, progress);
        var perDoc = documents.Select(d => new float[d.Length]).ToArray();
        var filled = new int[documents.Count];
        for (int i = 0; i < scores.Count; i++)
        {
            int d = owner[i];
            scores[i].TokenLogProbs.CopyTo(perDoc[d], filled[d]);
            filled[d] += scores[i].TokenLogProbs.Length;
        }
        return perDoc;
    }

    private void CheckIds(int[] ids, string what)
    {
        int v = _model.Config.VocabSize;
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)v)
                throw new ArgumentException($"{what}: token id {ids[i]} at position {i} is outside the vocabulary [0, {v})");
    }

    private IEnumerable<List<Row>> Pack(List<Row> rows)
    {
        var batch = new List<Row>();
        int width = 0;
        foreach (var row in rows.OrderByDescending(r => r.Input.Length))
        {
            int w = Math.Max(width, row.Input.Length);
            if (batch.Count > 0 && (batch.Count + 1 > _options.MaxBatchRows || (batch.Count + 1) * w > _options.MaxBatchTokens))
            {
                yield return batch;
                batch = new List<Row>();
                w = row.Input.Length;
            }
            batch.Add(row);
            width = w;
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>One forward pass over right-padded rows (continuing <paramref name="cache"/> when given), scoring every span.</summary>
    private void RunRows(List<Row> batch, (float[] Lp, bool[] Greedy)[] results, KvCache? cache)
    {
        int width = batch.Max(r => r.Input.Length);
        var ids = new long[batch.Count * width];
        for (int b = 0; b < batch.Count; b++)
            for (int t = 0; t < batch[b].Input.Length; t++) ids[b * width + t] = batch[b].Input[t];

        var flat = new List<long>();
        var targets = new List<long>();
        var where = new List<(int Request, int Index)>();
        for (int b = 0; b < batch.Count; b++)
            foreach (var s in batch[b].Spans)
                for (int j = 0; j < s.Targets.Length; j++)
                {
                    flat.Add(b * width + s.Start + j);
                    targets.Add(s.Targets[j]);
                    where.Add((s.Request, s.Offset + j));
                }

        TokensProcessed += ids.Length;
        TokensWithoutPadding += batch.Sum(r => r.Input.Length);
        if (_options.CountOnly) return;
        using var scope = torch.NewDisposeScope();
        var tokens = torch.tensor(ids, [batch.Count, width]);
        var hidden = _model.Hidden(tokens, cache);
        var selected = hidden.view(-1, _model.Config.HiddenSize).index_select(0, torch.tensor(flat.ToArray()));
        var (lp, greedy) = ScorePositions(selected, targets.ToArray());
        for (int i = 0; i < where.Count; i++)
        {
            results[where[i].Request].Lp[where[i].Index] = lp[i];
            results[where[i].Request].Greedy[where[i].Index] = greedy[i];
        }
    }

    /// <summary>Log-softmax of the targets at the given hidden states, in chunks that bound the logits' memory.</summary>
    private (float[] LogProbs, bool[] Greedy) ScorePositions(Tensor hidden, long[] targets)
    {
        int n = targets.Length;
        var lp = new float[n];
        var greedy = new bool[n];
        int chunk = (int)Math.Max(1, _options.MaxLogitElements / _model.Config.VocabSize);
        for (int s = 0; s < n; s += chunk)
        {
            int len = Math.Min(chunk, n - s);
            using var scope = torch.NewDisposeScope();
            var logits = _model.Logits(hidden.narrow(0, s, len));
            var tgt = torch.tensor(targets[s..(s + len)]).unsqueeze(1);
            var tokenLp = logits.gather(1, tgt).squeeze(1) - logits.logsumexp(1);
            var isGreedy = logits.argmax(1).eq(tgt.squeeze(1));
            tokenLp.data<float>().ToArray().CopyTo(lp, s);
            isGreedy.data<bool>().ToArray().CopyTo(greedy, s);
        }
        return (lp, greedy);
    }

    /// <summary>
    /// Several multi-token continuations of one context: one pass over the context (continuing a kept prefix's KV cache
    /// when given), then its KV cache broadcast.
    /// </summary>
    private void ScoreSharedContext(IReadOnlyList<ContinuationRequest> requests, List<int> members, (float[] Lp, bool[] Greedy)[] results,
        KeptPrefix? kept = null)
    {
        var c = _model.Config;
        int[] context = requests[members[0]].Context;
        int[] input = context[(kept?.Tokens.Length ?? 0)..];
        int capacity = context.Length + members.Max(m => requests[m].Continuation.Length) - 1;
        using var prefix = _options.CountOnly ? null
            : kept?.Cache?.Broadcast(c, 1, capacity) ?? new KvCache(c, 1, capacity, _model.ScalarType);
        // The context's last position predicts every continuation's first token.
        RunRows([new Row(input, members.Select(m => new Span(m, input.Length - 1, requests[m].Continuation[..1], 0)).ToList())], results, prefix);

        var rest = members.Where(m => requests[m].Continuation.Length > 1).ToList();
        if (rest.Count == 0) return;
        using var rowCache = prefix?.Broadcast(c, Math.Min(rest.Count, _options.MaxBatchRows), capacity);
        for (int start = 0; start < rest.Count; start += _options.MaxBatchRows)
        {
            var part = rest.Skip(start).Take(_options.MaxBatchRows).ToList();
            using var cache = rowCache?.FirstRows(part.Count);
            var rows = part.Select(m =>
            {
                var cont = requests[m].Continuation;
                return new Row(cont[..^1], [new Span(m, 0, cont[1..], 1)]);
            }).ToList();
            RunRows(rows, results, cache);
        }
    }

    /// <summary>
    /// Contexts sharing their first <paramref name="length"/> tokens: that prefix runs once (or comes from the store), and
    /// each context's remaining tokens, with its continuations, run in batches on the prefix's KV cache copied into each
    /// row once (positions and the causal mask start after the prefix).
    /// </summary>
    private void ScoreFromPrefix(IReadOnlyList<ContinuationRequest> requests, List<(int[] Context, List<int> Members)> contexts, int length,
        KeptPrefix? kept, (float[] Lp, bool[] Greedy)[] results, Action<int> report)
    {
        int[] first = contexts[0].Context;
        kept ??= _prefixes.FindLongest(first, length, _options.MinSharedPrefix);
        bool made = kept == null;
        if (kept == null) _prefixes.Add(kept = RunPrefix(first[..length]));
        int shared = kept.Tokens.Length;

        var rows = new List<Row>();
        foreach (var (context, members) in contexts)
        {
            int[] suffix = context[shared..];
            if (members.Count > 1 && members.Any(m => requests[m].Continuation.Length > 1))
            {
                // Several continuations of one context, some longer than a token: its suffix runs once, then they share it.
                ScoreSharedContext(requests, members, results, kept);
                report(members.Count);
            }
            else if (members.Count > 1)
                rows.Add(new Row(suffix, members.Select(m => new Span(m, suffix.Length - 1, requests[m].Continuation, 0)).ToList()));
            else
            {
                var cont = requests[members[0]].Continuation;
                rows.Add(new Row([.. suffix, .. cont[..^1]], [new Span(members[0], suffix.Length - 1, cont, 0)]));
            }
        }
        KvCache? rowCache = null;
        try
        {
            foreach (var batch in Pack(rows))
            {
                // The prefix is copied into a cache's rows once; batches write their suffixes after it in turn. Pack
                // sorts by length, so widths only shrink and a new copy is needed only when a batch has more rows.
                if (kept.Cache is not null && (rowCache is null || rowCache.Batch < batch.Count))
                {
                    rowCache?.Dispose();
                    rowCache = kept.Cache.Broadcast(_model.Config, batch.Count, shared + batch.Max(r => r.Input.Length));
                }
                using var cache = rowCache?.FirstRows(batch.Count);
                RunRows(batch, results, cache);
                report(batch.Sum(b => b.Spans.Select(s => s.Request).Distinct().Count()));
            }
        }
        finally { rowCache?.Dispose(); }
        if (made) _prefixes.Trim(kept);
    }

    /// <summary>Runs <paramref name="tokens"/> alone into a KV cache of exactly that length (no LM head).</summary>
    private KeptPrefix RunPrefix(int[] tokens)
    {
        var c = _model.Config;
        long bytes = ModelStatistics.Of(c, _model.DType).KvCacheBytesPerToken * tokens.Length;
        TokensProcessed += tokens.Length;
        TokensWithoutPadding += tokens.Length;
        PrefixesComputed++;
        if (_options.CountOnly) return new KeptPrefix(tokens, null, bytes);
        var cache = new KvCache(c, 1, tokens.Length, _model.ScalarType);
        using var scope = torch.NewDisposeScope();
        _model.Hidden(torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length]), cache);
        return new KeptPrefix(tokens, cache, cache.Bytes);
    }

    public void Dispose() => _prefixes.Dispose();

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public static readonly SequenceComparer Instance = new();
        public bool Equals(int[]? a, int[]? b) => a.AsSpan().SequenceEqual(b);
        public int GetHashCode(int[] a)
        {
            var h = new HashCode();
            foreach (int x in a) h.Add(x);
            return h.ToHashCode();
        }
    }
}
