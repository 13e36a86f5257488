namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>A prefix run once: its tokens and KV cache (null when only counting tokens).</summary>
public sealed record KeptPrefix(int[] Tokens, KvCache? Cache, long Bytes);

/// <summary>
/// Prefix KV caches kept between scoring calls (a run sends requests in chunks, and one subject's few-shot prefix spans
/// several), least recently used dropped first once their bytes exceed the budget or they number more than
/// <see cref="MaxEntries"/> (every lookup scans them).
/// </summary>
public sealed class PrefixKvStore(long budgetBytes) : IDisposable
{
    public const int MaxEntries = 256;

    private readonly LinkedList<KeptPrefix> _entries = new(); // most recently used first

    public long BudgetBytes => budgetBytes;
    public long Bytes { get; private set; }
    public int Count => _entries.Count;

    /// <summary>The longest kept prefix of <paramref name="tokens"/>'s first <paramref name="length"/> tokens, of at least <paramref name="minLength"/>.</summary>
    public KeptPrefix? FindLongest(int[] tokens, int length, int minLength)
    {
        LinkedListNode<KeptPrefix>? best = null;
        for (var node = _entries.First; node != null; node = node.Next)
        {
            var kept = node.Value.Tokens;
            if (kept.Length < minLength || kept.Length > length || (best != null && kept.Length <= best.Value.Tokens.Length)) continue;
            if (tokens.AsSpan(0, kept.Length).SequenceEqual(kept)) best = node;
        }
        if (best == null) return null;
        _entries.Remove(best);
        _entries.AddFirst(best);
        return best.Value;
    }

    /// <summary>Keeps <paramref name="prefix"/> (most recent) and drops the least recently used others beyond the budget.</summary>
    public void Add(KeptPrefix prefix)
    {
        _entries.AddFirst(prefix);
        Bytes += prefix.Bytes;
        while ((Bytes > budgetBytes || _entries.Count > MaxEntries) && _entries.Count > 1)
        {
            var last = _entries.Last!.Value;
            _entries.RemoveLast();
            Bytes -= last.Bytes;
            last.Cache?.Dispose();
        }
    }

    /// <summary>Drops <paramref name="prefix"/> if it alone exceeds the budget (it was kept only for the call that made it).</summary>
    public void Trim(KeptPrefix prefix)
    {
        if (Bytes <= budgetBytes || !_entries.Remove(prefix)) return;
        Bytes -= prefix.Bytes;
        prefix.Cache?.Dispose();
    }

    public void Dispose()
    {
        foreach (var e in _entries) e.Cache?.Dispose();
        _entries.Clear();
        Bytes = 0;
    }
}
