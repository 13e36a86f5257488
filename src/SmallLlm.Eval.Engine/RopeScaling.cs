namespace SmallLlm.Eval.Engine;

/// <summary>
/// A <c>rope_scaling</c> of config.json, computed as transformers' <c>modeling_rope_utils</c> does for each type.
/// </summary>
public abstract record RopeScaling
{
    /// <summary>The <c>rope_type</c> name.</summary>
    public abstract string Type { get; }
    public abstract double Factor { get; }

    /// <summary>
    /// Inverse frequencies for a forward pass whose last position is <paramref name="sequenceLength"/>−1 (only dynamic
    /// scaling depends on it).
    /// </summary>
    public abstract double[] InverseFrequencies(int headDim, double theta, int sequenceLength);

    /// <summary>Whether the frequencies change with the sequence length (then tables cannot be cached across lengths).</summary>
    public virtual bool DependsOnLength(int sequenceLength) => false;

    internal virtual void Validate(string source)
    {
        if (!(Factor >= 1) || double.IsInfinity(Factor))
            throw new InvalidDataException($"{source}: invalid model config: rope_scaling factor must be >= 1 (got {Factor})");
    }

    public static double[] Unscaled(int headDim, double theta)
    {
        var inv = new double[headDim / 2];
        for (int j = 0; j < inv.Length; j++) inv[j] = 1.0 / Math.Pow(theta, 2.0 * j / headDim);
        return inv;
    }
}
