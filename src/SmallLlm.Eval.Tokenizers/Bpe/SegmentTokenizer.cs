using System.Runtime.CompilerServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// The skeleton shared by our encoders: a text is cut into segments that no token spans (words between spaces,
/// pre-tokenizer matches), each segment's ids come from a per-thread <see cref="SegmentCache"/> or from
/// <see cref="EncodeSegment"/>, and Encode, CountTokens and CountContinuationTokens are one loop
/// (<see cref="EncodeInto"/>) that appends ids only when asked to.
/// </summary>
public abstract class SegmentTokenizer : ITextContinuationTokenizer
{
    private readonly ThreadLocal<SegmentCache> _cache = new(() => new SegmentCache());

    public abstract string Name { get; }
    public abstract int VocabSize { get; }
    public abstract int? BosId { get; }
    public abstract int? EosId { get; }
    public abstract string Decode(IReadOnlyList<int> ids);
    public abstract string IdToPiece(int id);
    public abstract bool IsSafeCut(ReadOnlySpan<char> text, int index);

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeInto(text, continuation: false, ids);
        return ids;
    }

    public int CountTokens(string text) => EncodeInto(text, continuation: false, null);

    public int CountContinuationTokens(string text) => EncodeInto(text, continuation: true, null);

    /// <summary>
    /// Appends the ids of <paramref name="text"/> to <paramref name="output"/> (when given) and returns how many there
    /// are; <paramref name="continuation"/>: the text directly follows earlier text (no dummy prefix).
    /// </summary>
    protected abstract int EncodeInto(string text, bool continuation, List<int>? output);

    /// <summary>Appends the ids of one segment (no token crosses its ends) to <paramref name="ids"/>.</summary>
    protected abstract void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids);

    /// <summary>The per-thread cache, fetched once per text.</summary>
    private protected SegmentCache Cache => _cache.Value!;

    /// <summary>The ids of a segment, valid until the next call on this cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected ReadOnlySpan<int> SegmentIds(ReadOnlySpan<char> segment, SegmentCache cache)
    {
        var scratch = cache.Scratch;
        if (segment.Length > SegmentCache.MaxSegmentLength)
        {
            scratch.Clear();
            EncodeSegment(segment, scratch);
            return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch);
        }
        int hash = SegmentCache.Hash(segment);
        if (cache.TryGet(segment, hash, out var ids)) return ids;
        scratch.Clear();
        EncodeSegment(segment, scratch);
        var encoded = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch);
        cache.Add(segment, hash, encoded);
        return encoded;
    }

    /// <summary>Appends a segment's ids to <paramref name="output"/> (when given) and returns how many there are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected int Emit(ReadOnlySpan<char> segment, SegmentCache cache, List<int>? output)
    {
        if (segment.IsEmpty) return 0;
        var ids = SegmentIds(segment, cache);
        output?.AddRange(ids);
        return ids.Length;
    }
}
