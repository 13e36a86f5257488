namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// Per-thread memo of segment → ids for merge-based encoders. Segments are cut where no merge can cross, so a
/// cached result is exact; the cache is simply cleared when it grows past its bound.
/// </summary>
internal sealed class SegmentCache
{
    private const int MaxEntries = 200_000;
    private const int MaxSegmentLength = 64;
    private readonly Dictionary<string, int[]> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SegmentCache() => _lookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool TryGet(ReadOnlySpan<char> segment, out int[] ids)
    {
        if (segment.Length > MaxSegmentLength) { ids = []; return false; }
        return _lookup.TryGetValue(segment, out ids!);
    }

    public void Add(ReadOnlySpan<char> segment, int[] ids)
    {
        if (segment.Length > MaxSegmentLength) return;
        if (_map.Count >= MaxEntries) _map.Clear();
        _lookup[segment] = ids;
    }
}
