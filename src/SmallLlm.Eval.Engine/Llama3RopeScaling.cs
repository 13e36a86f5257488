namespace SmallLlm.Eval.Engine;

/// <summary>
/// <c>llama3</c> (Llama 3.1+): long wavelengths are slowed down by <see cref="Factor"/>, short ones are kept, and the
/// band between is interpolated smoothly.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings) : RopeScaling
{
    public override string Type => "llama3";
    public override double Factor { get; } = Factor;

    public override double[] InverseFrequencies(int headDim, double theta, int sequenceLength) => Apply(Unscaled(headDim, theta));

    internal override void Validate(string source)
    {
        base.Validate(source);
        if (!(HighFreqFactor > LowFreqFactor) || !(LowFreqFactor > 0) || OriginalMaxPositionEmbeddings <= 0)
            throw new InvalidDataException(
                $"{source}: invalid model config: llama3 rope_scaling needs high_freq_factor > low_freq_factor > 0 and original_max_position_embeddings > 0");
    }

    /// <summary>Rescales inverse frequencies exactly as <c>apply_scaling</c> in Meta's Llama 3.1 reference code.</summary>
    public double[] Apply(double[] inverseFrequencies)
    {
        double lowFreqWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        double highFreqWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        var scaled = new double[inverseFrequencies.Length];
        for (int i = 0; i < scaled.Length; i++)
        {
            double freq = inverseFrequencies[i];
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) scaled[i] = freq;
            else if (wavelen > lowFreqWavelen) scaled[i] = freq / Factor;
            else
            {
                double smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                scaled[i] = (1 - smooth) * freq / Factor + smooth * freq;
            }
        }
        return scaled;
    }
}
