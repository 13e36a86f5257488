namespace SmallLlm.Eval.Engine;

/// <summary>Inverse frequencies of rotary position embeddings: theta^(-2j/d) for j in [0, d/2), then optional scaling.</summary>
public static class RotaryFrequencies
{
    public static double[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling)
    {
        var inv = new double[headDim / 2];
        for (int j = 0; j < inv.Length; j++) inv[j] = 1.0 / Math.Pow(theta, 2.0 * j / headDim);
        return scaling is null ? inv : scaling.Apply(inv);
    }
}
