namespace SmallLlm.Eval.Engine;

/// <summary>
/// <c>dynamic</c> NTK scaling: up to the original context the frequencies are unscaled; a pass reaching length L
/// beyond it uses base · ((factor · L / original) − (factor − 1))^(d / (d − 2)). transformers recomputes the frequencies
/// from the longest position of each forward pass, so keys already in a KV cache keep the frequencies of the pass that
/// computed them; the engine does the same.
/// </summary>
public sealed record DynamicNtkRopeScaling(double Factor, int OriginalMaxPositionEmbeddings) : RopeScaling
{
    public override string Type => "dynamic";
    public override double Factor { get; } = Factor;

    public override double[] InverseFrequencies(int headDim, double theta, int sequenceLength)
    {
        int length = Math.Max(sequenceLength, OriginalMaxPositionEmbeddings);
        double b = theta * Math.Pow(Factor * length / OriginalMaxPositionEmbeddings - (Factor - 1), headDim / (headDim - 2.0));
        return Unscaled(headDim, b);
    }

    public override bool DependsOnLength(int sequenceLength) => sequenceLength > OriginalMaxPositionEmbeddings;

    /// <summary>The positions the engine accepts: the original context stretched by the factor.</summary>
    public int ExtendedLength => (int)Math.Min(LlamaConfig.MaxSupportedPositions + 1L, (long)(OriginalMaxPositionEmbeddings * Factor));
}
