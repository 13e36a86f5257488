using System.Numerics;

namespace SmallLlm.Eval.Engine;

/// <summary>The index of the largest value, the first one on ties (llama2.c's argmax and numpy's agree on this).</summary>
public static class ArgMax
{
    public static int Of<T>(ReadOnlySpan<T> values) where T : INumber<T>
    {
        if (values.IsEmpty) throw new ArgumentException("argmax of no values");
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
