namespace SmallLlm.Eval.Engine.Hardware;

/// <summary>The compute dtype a run uses, what was asked for (fp32, bf16 or auto) and why.</summary>
public sealed record DTypeChoice(ModelDType DType, string Requested, string Reason)
{
    /// <summary>
    /// Below this size per-operation overhead, not matrix multiplies, dominates, and bf16's conversions cost more than they
    /// save (measured: stories15M scores no faster in bf16 and decodes at half the speed; stories110M scores 2x faster).
    /// </summary>
    public const long Bf16MinParameters = 50_000_000;

    public static DTypeChoice Resolve(string requested, long parameters, CpuFeatures cpu)
    {
        if (!requested.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return new DTypeChoice(ModelDTypeNames.Parse(requested), requested.ToLowerInvariant(), "asked for");
        if (!cpu.NativeBf16)
            return new DTypeChoice(ModelDType.Float32, "auto", "fp32: this CPU has no native bf16 (avx512_bf16 or amx_bf16), where bf16 runs slower than fp32");
        if (parameters < Bf16MinParameters)
            return new DTypeChoice(ModelDType.Float32, "auto", $"fp32: the CPU has native bf16, but below {Bf16MinParameters / 1_000_000}M parameters bf16 gains nothing");
        return new DTypeChoice(ModelDType.BFloat16, "auto", "bf16: the CPU has native bf16 (avx512_bf16 or amx_bf16)");
    }
}
