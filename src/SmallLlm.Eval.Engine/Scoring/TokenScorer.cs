using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>
/// Batched log-likelihood scoring on a <see cref="LlamaModel"/>. Requests that share a context are scored from one
/// forward pass over that context: single-token continuations read the context's last position, longer ones continue
/// from its KV cache. Other requests are sorted by length and packed into right-padded batches. Only scored positions
/// go through the LM head.
/// </summary>
public sealed class TokenScorer
{
    private readonly LlamaModel _model;
    private readonly ScoringOptions _options;

    public TokenScorer(LlamaModel model, ScoringOptions? options = null)
    {
        _model = model;
        _options = options ?? new ScoringOptions();
    }

    public LlamaModel Model => _model;

    /// <summary>Tokens run through the model so far (padding included): the numerator of tokens/s.</summary>
    public long TokensProcessed { get; private set; }

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
        foreach (var group in Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].Context, SequenceComparer.Instance))
        {
            var members = group.ToList();
            int[] context = group.Key;
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

        using var scope = torch.NewDisposeScope();
        var tokens = torch.tensor(ids, [batch.Count, width]);
        var hidden = _model.Hidden(tokens, cache);
        TokensProcessed += ids.Length;
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

    /// <summary>Several multi-token continuations of one context: one pass over the context, then its KV cache broadcast.</summary>
    private void ScoreSharedContext(IReadOnlyList<ContinuationRequest> requests, List<int> members, (float[] Lp, bool[] Greedy)[] results)
    {
        var c = _model.Config;
        int[] context = requests[members[0]].Context;
        int capacity = context.Length + members.Max(m => requests[m].Continuation.Length) - 1;
        using var prefix = new KvCache(c, 1, capacity, _model.ScalarType);
        // The context's last position predicts every continuation's first token.
        RunRows([new Row(context, members.Select(m => new Span(m, context.Length - 1, requests[m].Continuation[..1], 0)).ToList())], results, prefix);

        var rest = members.Where(m => requests[m].Continuation.Length > 1).ToList();
        for (int start = 0; start < rest.Count; start += _options.MaxBatchRows)
        {
            var part = rest.Skip(start).Take(_options.MaxBatchRows).ToList();
            using var cache = prefix.Broadcast(c, part.Count, capacity);
            var rows = part.Select(m =>
            {
                var cont = requests[m].Continuation;
                return new Row(cont[..^1], [new Span(m, 0, cont[1..], 1)]);
            }).ToList();
            RunRows(rows, results, cache);
        }
    }

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
