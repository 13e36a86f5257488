using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Engine.Training;

public enum DataOrder
{
    Sequential,
    Shuffled,
}

/// <summary>
/// Where each training row starts in the token stream. Row r of step s (r over batch × grad-accum rows) reads
/// stream[o : o + L + 1]; sequential: o = ((s·B + r)·L) mod (len − L − 1); shuffled: o drawn uniformly from
/// [0, len − L − 1) by a generator seeded from (seed, s), so a step's rows do not depend on the steps before it (resume
/// reads the same rows).
/// </summary>
public sealed class TrainingBatches
{
    private readonly int[] _stream;
    public int RowsPerStep { get; }
    public int Sequence { get; }
    public DataOrder Order { get; }
    public ulong Seed { get; }

    public TrainingBatches(int[] stream, int rowsPerStep, int sequence, DataOrder order, ulong seed)
    {
        if (sequence < 1) throw new ArgumentException($"--seq must be >= 1 (got {sequence})");
        if (rowsPerStep < 1) throw new ArgumentException($"--batch × --grad-accum must be >= 1 (got {rowsPerStep})");
        if (stream.LongLength < sequence + 2L)
            throw new ArgumentException(
                $"the training data is {stream.Length:N0} tokens, smaller than one row: --seq {sequence} needs at least {sequence + 2:N0} tokens (L + 1 per row, and room for one offset)");
        (_stream, RowsPerStep, Sequence, Order, Seed) = (stream, rowsPerStep, sequence, order, seed);
    }

    public int StreamLength => _stream.Length;

    public long[] Offsets(int step)
    {
        long span = _stream.LongLength - Sequence - 1;
        var offsets = new long[RowsPerStep];
        var random = Order == DataOrder.Shuffled ? new SeededRandom(unchecked(Seed * 0x9E3779B97F4A7C15UL + (ulong)step)) : null;
        for (int r = 0; r < RowsPerStep; r++)
            offsets[r] = random is null ? ((long)step * RowsPerStep + r) * Sequence % span : random.NextInt((int)span);
        return offsets;
    }

    /// <summary>Rows [count, L + 1] from <paramref name="first"/> of step <paramref name="step"/>'s rows.</summary>
    public long[,] Rows(int step, int first, int count)
    {
        var offsets = Offsets(step);
        var rows = new long[count, Sequence + 1];
        for (int r = 0; r < count; r++)
            for (int t = 0; t <= Sequence; t++) rows[r, t] = _stream[offsets[first + r] + t];
        return rows;
    }
}
