namespace SmallLlm.Eval.Engine.Hardware;

/// <summary>The compute dtype a run uses, what was asked for (fp32, bf16 or auto) and why.</summary>
public sealed record DTypeChoice(ModelDType DType, string Requested, string Reason)
{
    /// <summary>
    /// Below this size per-operation overhead, not matrix multiplies, dominates, and bf16's conversions cost more than they
    /// save (measured: stories15M scores no faster in bf16 and decodes at half the speed; stories110M scores 2x faster).
    /// </summary>
    public const long Bf16MinParameters = 50_000_000;

    /// <summary>bf16 must multiply at least this much faster than fp32 in the probe to be chosen.</summary>
    public const double Bf16MinSpeedup = 1.2;

    /// <param name="bf16Speedup">
    /// Measures bf16 matmul throughput over fp32's on this machine (null: trust the flags). CPUs with the same flags
    /// differ: one 2-core VM reporting avx512_bf16 multiplied bf16 at half its fp32 speed, so the flag alone is not enough.
    /// </param>
    public static DTypeChoice Resolve(string requested, long parameters, CpuFeatures cpu, Func<double>? bf16Speedup = null)
    {
        if (!requested.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return new DTypeChoice(ModelDTypeNames.Parse(requested), requested.ToLowerInvariant(), "asked for");
        if (!cpu.NativeBf16)
            return new DTypeChoice(ModelDType.Float32, "auto", "fp32: this CPU has no native bf16 (avx512_bf16 or amx_bf16), where bf16 runs slower than fp32");
        if (parameters < Bf16MinParameters)
            return new DTypeChoice(ModelDType.Float32, "auto", $"fp32: the CPU has native bf16, but below {Bf16MinParameters / 1_000_000}M parameters bf16 gains nothing");
        if (bf16Speedup?.Invoke() is double speedup)
            return speedup >= Bf16MinSpeedup
                ? new DTypeChoice(ModelDType.BFloat16, "auto", $"bf16: the CPU has native bf16 and a bf16 matmul measured {speedup:F2}x fp32's speed")
                : new DTypeChoice(ModelDType.Float32, "auto", $"fp32: the CPU reports native bf16, but a bf16 matmul measured only {speedup:F2}x fp32's speed");
        return new DTypeChoice(ModelDType.BFloat16, "auto", "bf16: the CPU has native bf16 (avx512_bf16 or amx_bf16)");
    }
}
