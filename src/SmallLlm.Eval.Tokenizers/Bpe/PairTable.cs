using System.Runtime.CompilerServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// Open-addressing map from a symbol pair (<see cref="PairMerger.PairKey"/>) to its merge, the hot lookup of every
/// encoder's merge loop. <c>Dictionary&lt;long, …&gt;</c> hashes a long as low ^ high, which for a pair of ids is
/// left ^ right: tens of thousands of pairs share few hash codes and most of a cold encode went into walking those
/// chains. A multiplicative hash and linear probing in one flat array (half empty) make a lookup one or two cache lines.
/// </summary>
internal sealed class PairTable
{
    private struct Entry
    {
        public long Key;
        public int Merged;
        public float Score;
    }

    // An empty slot holds this key and NoMerge, so a lookup of this very key (never a real pair) finds "no merge".
    private const long EmptyKey = long.MinValue;
    private readonly Entry[] _entries;
    private readonly int _shift;

    public PairTable(IReadOnlyDictionary<long, (int Merged, float Score)> pairs)
    {
        int bits = 4;
        while ((1 << bits) < pairs.Count * 2) bits++;
        _shift = 64 - bits;
        _entries = new Entry[1 << bits];
        Array.Fill(_entries, new Entry { Key = EmptyKey, Merged = PairMerger.NoMerge });
        int mask = _entries.Length - 1;
        foreach (var (key, (merged, score)) in pairs)
        {
            if (key == EmptyKey) throw new ArgumentException("a pair key equal to long.MinValue cannot be stored");
            int i = Slot(key);
            while (_entries[i].Key != EmptyKey) i = (i + 1) & mask;
            _entries[i] = new Entry { Key = key, Merged = merged, Score = score };
        }
    }

    private int Slot(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);

    /// <summary>The merged symbol and its score, or <see cref="PairMerger.NoMerge"/> when the pair does not merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Find(long key, out int merged, out float score)
    {
        var entries = _entries;
        int mask = entries.Length - 1;
        for (int i = Slot(key); ; i = (i + 1) & mask)
        {
            ref readonly Entry e = ref entries[i];
            if (e.Key == key || e.Key == EmptyKey)
            {
                merged = e.Key == key ? e.Merged : PairMerger.NoMerge;
                score = e.Score;
                return;
            }
        }
    }
}
