using System.Diagnostics;
using System.Threading.Channels;

namespace SmallLlm.Eval.Serve;

/// <summary>
/// The one thread that drives the engine. Scoring work that arrives together is run as one batch (up to
/// <c>maxBatchTokens</c> tokens), so concurrent clients share forward passes; a batch smaller than the previous one
/// waits briefly for the rest of the clients to come back. Generation runs one sequence at a time.
/// The queue is bounded: a full queue refuses work at once (the server answers 429) instead of growing without limit.
/// </summary>
public sealed class EngineQueue : IDisposable
{
    private abstract record Work;
    private sealed record ScoreWork(int[] Sequence, int TopN, bool IncludeLast, TaskCompletionSource<PromptScores> Done) : Work;
    private sealed record GenerateWork(int[] Prompt, int MaxTokens, double Temperature, double TopP, ulong Seed,
        IReadOnlyList<string> Stop, TaskCompletionSource<(int[], bool)> Done) : Work;

    private readonly ICompletionEngine _engine;
    private readonly int _maxBatchTokens;
    private readonly Channel<Work> _channel;
    private readonly Thread _worker;
    private readonly int _capacity;
    private int _lastBatchSequences;
    private double _lastBatchSeconds;

    /// <summary>The longest a batch waits for more sequences to arrive.</summary>
    private static readonly TimeSpan MaxGather = TimeSpan.FromMilliseconds(50);

    /// <summary>Forward batches run so far and sequences in them (how much micro-batching happened).</summary>
    public long Batches { get; private set; }
    public long BatchedSequences { get; private set; }

    public EngineQueue(ICompletionEngine engine, int maxBatchTokens, int maxQueue)
    {
        _engine = engine;
        _maxBatchTokens = maxBatchTokens;
        _capacity = maxQueue;
        _channel = Channel.CreateBounded<Work>(new BoundedChannelOptions(maxQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = new Thread(Run) { IsBackground = true, Name = "smalleval-engine" };
        _worker.Start();
    }

    /// <summary>Queues the sequences of one request; all or none (a request is never half-accepted).</summary>
    public Task<PromptScores>[] Score(IReadOnlyList<int[]> sequences, int topN, bool includeLast)
    {
        var works = sequences.Select(s => new ScoreWork(s, topN, includeLast, new TaskCompletionSource<PromptScores>(TaskCreationOptions.RunContinuationsAsynchronously))).ToArray();
        lock (_channel) // a request's items go in together, or the request is refused
        {
            if (_channel.Reader.Count + works.Length > _capacity) throw QueueFull();
            foreach (var w in works)
                if (!_channel.Writer.TryWrite(w)) throw QueueFull();
        }
        return works.Select(w => w.Done.Task).ToArray();
    }

    /// <summary>Refuses a request (429) whose sequences do not fit the queue now, before any of them is queued.</summary>
    public void Admit(int sequences)
    {
        if (sequences > _capacity || _channel.Reader.Count + sequences > _capacity) throw QueueFull();
    }

    public Task<(int[] Tokens, bool Stopped)> Generate(int[] prompt, int maxTokens, double temperature, double topP, ulong seed, IReadOnlyList<string> stop)
    {
        var work = new GenerateWork(prompt, maxTokens, temperature, topP, seed, stop, new TaskCompletionSource<(int[], bool)>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_channel)
            if (!_channel.Writer.TryWrite(work)) throw QueueFull();
        return work.Done.Task;
    }

    private static ApiException QueueFull() => new(429, "the server's queue is full: retry later", type: "rate_limit_error");

    private void Run()
    {
        var reader = _channel.Reader;
        while (true)
        {
            if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return;
            if (!reader.TryRead(out var first)) continue;
            if (first is GenerateWork g)
            {
                try { g.Done.SetResult(_engine.Generate(g.Prompt, g.MaxTokens, g.Temperature, g.TopP, g.Seed, g.Stop)); }
                catch (Exception e) { g.Done.SetException(e); }
                continue;
            }
            var batch = new List<ScoreWork> { (ScoreWork)first };
            int tokens = batch[0].Sequence.Length;
            bool open = Drain(batch, ref tokens);
            // Under steady load the clients the last batch answered come back together: the first of them must not run
            // alone while the others are still on the wire (a batch of one, then one of the rest). Wait a little for as
            // many sequences as the last batch had: at most a fifth of its engine time, so an idle server never waits long.
            long deadline = Stopwatch.GetTimestamp() + (long)(Math.Min(MaxGather.TotalSeconds, _lastBatchSeconds / 5) * Stopwatch.Frequency);
            while (open && batch.Count < _lastBatchSequences)
            {
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) break;
                var wait = reader.WaitToReadAsync().AsTask();
                if (!wait.Wait(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)) || !wait.Result) break;
                open = Drain(batch, ref tokens);
            }
            try
            {
                long start = Stopwatch.GetTimestamp();
                var scores = _engine.Score(batch.Select(b => b.Sequence).ToList(), batch.Max(b => b.TopN), batch.Any(b => b.IncludeLast));
                _lastBatchSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                _lastBatchSequences = batch.Count;
                Batches++;
                BatchedSequences += batch.Count;
                for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(scores[i]);
            }
            catch (Exception e)
            {
                foreach (var b in batch) b.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Moves queued scoring work into <paramref name="batch"/> up to the token limit; false when the batch is
    /// closed (full, or generation work is next in line).</summary>
    private bool Drain(List<ScoreWork> batch, ref int tokens)
    {
        while (_channel.Reader.TryPeek(out var next))
        {
            if (next is not ScoreWork s || tokens + s.Sequence.Length > _maxBatchTokens) return false;
            _channel.Reader.TryRead(out _);
            batch.Add(s);
            tokens += s.Sequence.Length;
        }
        return true;
    }

    /// <summary>Stops taking work; what is queued still runs.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        Complete();
        _worker.Join(TimeSpan.FromSeconds(30));
    }
}
