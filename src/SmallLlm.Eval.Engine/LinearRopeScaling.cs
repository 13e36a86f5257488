namespace SmallLlm.Eval.Engine;

/// <summary><c>linear</c> (position interpolation): every frequency divided by the factor.</summary>
public sealed record LinearRopeScaling(double Factor) : RopeScaling
{
    public override string Type => "linear";
    public override double Factor { get; } = Factor;

    public override double[] InverseFrequencies(int headDim, double theta, int sequenceLength) =>
        Unscaled(headDim, theta).Select(f => f / Factor).ToArray();
}
