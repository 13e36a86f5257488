using System.Runtime.CompilerServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// Byte-pair merging over symbol keys: repeatedly merges the adjacent pair with the highest score, and among equal
/// scores the leftmost pair, as SentencePiece's BPE model, llama2.c's run.c and Hugging Face's BPE (score = -rank) do.
/// Microsoft.ML.Tokenizers' LlamaTokenizer breaks ties right-to-left, which is why this exists.
/// Keys are token ids (≥ 0) or, for a character outside the vocabulary, a negative key the caller defines.
/// </summary>
public sealed class PairMerger
{
    private readonly PairTable _pairs;

    public PairMerger(Dictionary<long, (int Merged, float Score)> pairs) => _pairs = new PairTable(pairs);

    public static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Merges <paramref name="keys"/> in place and returns how many symbols remain at its start.</summary>
    public int Merge(Span<int> keys)
    {
        int n = keys.Length;
        if (n < 2) return n;
        return n <= 48 ? MergeByScan(keys) : MergeByHeap(keys);
    }

    // Short words (almost all of them): a linear scan per merge beats the heap's bookkeeping.
    // The merge loops are compiled optimized at once: a first pass over new text runs them millions of times before
    // tiered compilation would have replaced their unoptimized first version.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int MergeByScan(Span<int> keys)
    {
        int n = keys.Length;
        Span<float> scores = stackalloc float[n];
        Span<int> merged = stackalloc int[n];
        for (int i = 0; i < n - 1; i++) Lookup(keys[i], keys[i + 1], out merged[i], out scores[i]);
        while (n > 1)
        {
            int best = -1;
            float bestScore = float.NegativeInfinity;
            for (int i = 0; i < n - 1; i++)
            {
                // Strict '>' keeps the leftmost of equal scores.
                if (merged[i] != NoMerge && (best < 0 || scores[i] > bestScore)) { best = i; bestScore = scores[i]; }
            }
            if (best < 0) break;
            keys[best] = merged[best];
            // A plain loop: the tails are a few elements, shorter than a memmove call's overhead.
            for (int i = best + 1; i < n - 1; i++)
            {
                keys[i] = keys[i + 1];
                merged[i] = merged[i + 1];
                scores[i] = scores[i + 1];
            }
            n--;
            if (best > 0) Lookup(keys[best - 1], keys[best], out merged[best - 1], out scores[best - 1]);
            if (best < n - 1) Lookup(keys[best], keys[best + 1], out merged[best], out scores[best]);
        }
        return n;
    }

    internal const int NoMerge = int.MinValue;

    private void Lookup(int left, int right, out int merged, out float score)
    {
        _pairs.Find(PairKey(left, right), out merged, out score);
    }

    // Long runs without a safe cut (a line of Chinese, a base64 blob): O(n log n) like SentencePiece's agenda.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int MergeByHeap(Span<int> keys)
    {
        int n = keys.Length;
        var next = new int[n];
        var prev = new int[n];
        var alive = new bool[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; alive[i] = true; }
        var queue = new MergeQueue(n);
        var k = keys.ToArray();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Push(int left, int right)
        {
            if (left < 0 || right < 0) return;
            _pairs.Find(PairKey(k[left], k[right]), out int merged, out float score);
            if (merged == NoMerge) return;
            queue.Push(new MergeQueue.Candidate { Score = score, Left = left, Right = right, LeftKey = k[left], RightKey = k[right], Merged = merged });
        }

        for (int i = 0; i < n - 1; i++) Push(i, i + 1);
        while (queue.TryPop(out var c))
        {
            if (!alive[c.Left] || !alive[c.Right] || next[c.Left] != c.Right || k[c.Left] != c.LeftKey || k[c.Right] != c.RightKey) continue;
            k[c.Left] = c.Merged;
            alive[c.Right] = false;
            next[c.Left] = next[c.Right];
            if (next[c.Right] >= 0) prev[next[c.Right]] = c.Left;
            Push(prev[c.Left], c.Left);
            Push(c.Left, next[c.Left]);
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) keys[count++] = k[i];
        return count;
    }
}
