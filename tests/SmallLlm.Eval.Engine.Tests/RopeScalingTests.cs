namespace SmallLlm.Eval.Engine.Tests;

/// <summary>llama3 rope scaling against the formula of Meta's Llama 3.1 reference (apply_scaling), written out by hand.</summary>
public class RopeScalingTests
{
    // Llama 3.1 8B: head_dim 128, theta 500000, factor 8, low 1, high 4, original context 8192.
    private static readonly Llama3RopeScaling Llama31 = new(8, 1, 4, 8192);

    [Fact]
    public void High_frequencies_are_kept_low_ones_divided_by_factor_and_the_band_interpolated()
    {
        double[] raw = RotaryFrequencies.InverseFrequencies(128, 500000, null);
        double[] scaled = RotaryFrequencies.InverseFrequencies(128, 500000, Llama31);
        int kept = 0, divided = 0, smoothed = 0;
        for (int j = 0; j < raw.Length; j++)
        {
            double wavelen = 2 * Math.PI / raw[j];
            double expected;
            if (wavelen < 8192 / 4.0) { expected = raw[j]; kept++; }
            else if (wavelen > 8192 / 1.0) { expected = raw[j] / 8; divided++; }
            else
            {
                double smooth = (8192 / wavelen - 1) / (4 - 1);
                expected = (1 - smooth) * raw[j] / 8 + smooth * raw[j];
                smoothed++;
            }
            Assert.Equal(expected, scaled[j], 1e-15);
        }
        Assert.True(kept > 0 && divided > 0 && smoothed > 0, $"kept {kept}, divided {divided}, smoothed {smoothed}");
        Assert.Equal(1.0, scaled[0]); // the fastest frequency is untouched
    }

    [Fact]
    public void Inverse_frequencies_follow_theta_powers()
    {
        double[] inv = RotaryFrequencies.InverseFrequencies(8, 10000, null);
        Assert.Equal([1.0, 0.1, 0.01, 0.001], inv.Select(x => Math.Round(x, 12)).ToArray());
    }

    [Fact]
    public void Scaling_is_continuous_at_the_band_edges()
    {
        // Just inside the band the interpolation meets both neighbours.
        double lowEdge = 2 * Math.PI / 8192.0, highEdge = 2 * Math.PI / 2048.0;
        var s = Llama31.Apply([lowEdge * (1 + 1e-12), highEdge * (1 - 1e-12)]);
        Assert.Equal(lowEdge / 8, s[0], 1e-12);
        Assert.Equal(highEdge, s[1], 1e-12);
    }
}
