using SmallLlm.Eval.Engine.Hardware;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>--dtype auto: bf16 only where /proc/cpuinfo shows native bf16, and only for models large enough to gain.</summary>
public class CpuFeaturesTests
{
    // Abridged /proc/cpuinfo of an AVX2-only AMD Zen 3 and of a Sapphire Rapids Xeon (flags lines as the kernel prints them).
    private const string Zen3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763 64-Core Processor\n" +
        "flags\t\t: fpu vme de pse tsc msr sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand avx2 bmi2 sha_ni\n\n";
    private const string SapphireRapids = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\n" +
        "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512dq avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8\n\n" +
        "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\nflags\t\t: fpu sse2 avx fma avx2 avx512f\n";

    private static CpuFeatures Parse(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), "cpuinfo-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        try { return CpuFeatures.Read(path); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Avx2_only_cpu_gets_fp32_even_for_large_models()
    {
        var cpu = Parse(Zen3);
        Assert.Equal("AMD EPYC 7763 64-Core Processor", cpu.ModelName);
        Assert.Equal(["avx2", "fma"], cpu.Flags);
        Assert.False(cpu.NativeBf16);
        var choice = DTypeChoice.Resolve("auto", 1_235_814_400, cpu);
        Assert.Equal(ModelDType.Float32, choice.DType);
        Assert.Contains("no native bf16", choice.Reason);
    }

    [Fact]
    public void Native_bf16_cpu_gets_bf16_for_large_models_only()
    {
        var cpu = Parse(SapphireRapids);
        Assert.Equal("Intel(R) Xeon(R) Platinum 8488C", cpu.ModelName);
        Assert.True(cpu.NativeBf16);
        Assert.Contains("amx_bf16", cpu.Flags);
        Assert.Equal(ModelDType.BFloat16, DTypeChoice.Resolve("auto", 109_530_000, cpu).DType);
        Assert.Equal(ModelDType.Float32, DTypeChoice.Resolve("auto", 260_032, cpu).DType);
        Assert.Equal(ModelDType.Float32, DTypeChoice.Resolve("fp32", 109_530_000, cpu).DType); // asked for wins
        Assert.Equal(ModelDType.BFloat16, DTypeChoice.Resolve("bf16", 260_032, Parse(Zen3)).DType);
    }

    [Fact]
    public void A_measured_bf16_slowdown_overrules_the_flags()
    {
        var cpu = Parse(SapphireRapids);
        var slow = DTypeChoice.Resolve("auto", 109_530_000, cpu, () => 0.52);
        Assert.Equal(ModelDType.Float32, slow.DType);
        Assert.Contains("only 0.52x", slow.Reason);
        Assert.Equal(ModelDType.BFloat16, DTypeChoice.Resolve("auto", 109_530_000, cpu, () => 2.1).DType);
        Assert.Equal(ModelDType.Float32, DTypeChoice.Resolve("auto", 109_530_000, Parse(Zen3), () => throw new InvalidOperationException("no probe without the flags")).DType);
    }

    [Fact]
    public void Missing_cpuinfo_means_no_features()
    {
        var cpu = CpuFeatures.Read("/nonexistent/cpuinfo");
        Assert.Empty(cpu.Flags);
        Assert.False(cpu.NativeBf16);
        Assert.Equal(Environment.ProcessorCount, cpu.AvailableCores);
    }
}
