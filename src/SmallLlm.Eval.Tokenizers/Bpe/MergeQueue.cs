using System.Runtime.CompilerServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// Binary max-heap of merge candidates for <see cref="PairMerger"/>'s long runs: the highest score first, and among
/// equal scores the leftmost. (PriorityQueue with an IComparer spent most of a long run's time in comparer calls.)
/// </summary>
internal sealed class MergeQueue(int capacity)
{
    public struct Candidate
    {
        public float Score;
        public int Left, Right, LeftKey, RightKey, Merged;
    }

    private Candidate[] _items = new Candidate[Math.Max(capacity, 4)];
    private int _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Before(in Candidate a, in Candidate b)
    {
        int c = a.Score.CompareTo(b.Score);
        return c > 0 || (c == 0 && a.Left < b.Left);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Push(Candidate item)
    {
        if (_count == _items.Length) Array.Resize(ref _items, _count * 2);
        var items = _items;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Before(item, items[parent])) break;
            items[i] = items[parent];
            i = parent;
        }
        items[i] = item;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPop(out Candidate top)
    {
        if (_count == 0) { top = default; return false; }
        var items = _items;
        top = items[0];
        var last = items[--_count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Before(items[child + 1], items[child])) child++;
            if (!Before(items[child], last)) break;
            items[i] = items[child];
            i = child;
        }
        items[i] = last;
        return true;
    }
}
