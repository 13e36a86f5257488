namespace SmallLlm.Eval.Engine;

/// <summary>Inverse frequencies of rotary position embeddings: theta^(-2j/d) for j in [0, d/2), then optional scaling.</summary>
public static class RotaryFrequencies
{
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling, int sequenceLength = 0) =>
        scaling is null ? RopeScaling.Unscaled(headDim, theta) : scaling.InverseFrequencies(headDim, theta, sequenceLength);
}
