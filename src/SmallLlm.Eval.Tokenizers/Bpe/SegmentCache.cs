using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// Per-thread memo of segment → ids for the segment encoders. Segments are cut where no token can cross, so a cached
/// result is exact. Segments and ids live in two growing arrays and an open-addressing table indexes them: no object
/// per entry, so a cold pass over new text (hundreds of thousands of new words) allocates nearly nothing and leaves
/// the garbage collector idle. The cache is simply cleared when it reaches its bound.
/// </summary>
internal sealed class SegmentCache
{
    public const int MaxSegmentLength = 64;
    private const int MaxEntries = 1 << 18;
    private const int MaxChars = MaxEntries * 12;
    private const int MaxIds = MaxEntries * 6;

    private struct Entry
    {
        public int Hash;
        public int CharStart;
        public int IdStart;
        public ushort CharLength; // 0: empty slot
        public ushort IdCount;
    }

    private Entry[] _table = new Entry[1 << 12];
    private char[] _chars = new char[1 << 14];
    private int[] _ids = new int[1 << 13];
    private int _count, _charEnd, _idEnd;

    /// <summary>Scratch list the encoder fills on a miss (reused, so a miss allocates nothing).</summary>
    public List<int> Scratch { get; } = new(64);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(ReadOnlySpan<char> segment)
    {
        ulong h = (ulong)segment.Length * 0x9E3779B97F4A7C15UL;
        var words = MemoryMarshal.Cast<char, ulong>(segment);
        foreach (ulong w in words) h = BitOperations.RotateLeft((h ^ w) * 0xBF58476D1CE4E5B9UL, 27);
        for (int i = words.Length * 4; i < segment.Length; i++) h = BitOperations.RotateLeft((h ^ segment[i]) * 0x94D049BB133111EBUL, 27);
        h ^= h >> 31;
        h *= 0xD6E8FEB86659FD93UL;
        return (int)(h ^ (h >> 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(ReadOnlySpan<char> segment, int hash, out ReadOnlySpan<int> ids)
    {
        var table = _table;
        int mask = table.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            ref readonly Entry e = ref table[i];
            if (e.CharLength == 0) break;
            if (e.Hash == hash && e.CharLength == segment.Length && segment.SequenceEqual(_chars.AsSpan(e.CharStart, e.CharLength)))
            {
                ids = _ids.AsSpan(e.IdStart, e.IdCount);
                return true;
            }
        }
        ids = default;
        return false;
    }

    /// <summary>Stores the ids of a segment that <see cref="TryGet"/> did not find; segments too long to cache are not kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> segment, int hash, ReadOnlySpan<int> ids)
    {
        if (segment.Length > MaxSegmentLength || segment.IsEmpty || ids.Length > ushort.MaxValue) return;
        if (_count >= MaxEntries || _charEnd + segment.Length > MaxChars || _idEnd + ids.Length > MaxIds) Clear();
        if ((_count + 1) * 2 > _table.Length) GrowTable();
        if (_charEnd + segment.Length > _chars.Length) Array.Resize(ref _chars, Math.Min(MaxChars, Math.Max(_chars.Length * 2, _charEnd + segment.Length)));
        if (_idEnd + ids.Length > _ids.Length) Array.Resize(ref _ids, Math.Min(MaxIds, Math.Max(_ids.Length * 2, _idEnd + ids.Length)));
        segment.CopyTo(_chars.AsSpan(_charEnd));
        ids.CopyTo(_ids.AsSpan(_idEnd));
        Insert(_table, new Entry { Hash = hash, CharStart = _charEnd, IdStart = _idEnd, CharLength = (ushort)segment.Length, IdCount = (ushort)ids.Length });
        _charEnd += segment.Length;
        _idEnd += ids.Length;
        _count++;
    }

    private static void Insert(Entry[] table, Entry entry)
    {
        int mask = table.Length - 1;
        int i = entry.Hash & mask;
        while (table[i].CharLength != 0) i = (i + 1) & mask;
        table[i] = entry;
    }

    private void GrowTable()
    {
        var larger = new Entry[_table.Length * 2];
        foreach (var e in _table) if (e.CharLength != 0) Insert(larger, e);
        _table = larger;
    }

    private void Clear()
    {
        Array.Clear(_table);
        _count = _charEnd = _idEnd = 0;
    }
}
