namespace SmallLlm.Eval.Engine.Hardware;

/// <summary>
/// What the CPU this process runs on can do, from /proc/cpuinfo: its model name, the instruction-set flags that decide
/// which kernels are fast (AVX2, AVX-512, native bf16 dot products, AMX), and the cores this process may use (affinity
/// and cgroup CPU quota, as <see cref="Environment.ProcessorCount"/> reports them).
/// </summary>
public sealed record CpuFeatures(string ModelName, IReadOnlyList<string> Flags, int AvailableCores)
{
    /// <summary>Flags reported when present, in this order.</summary>
    public static readonly string[] FlagsOfInterest = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"];

    /// <summary>bf16 matrix multiplies run natively (AVX-512-BF16 or AMX-BF16); elsewhere bf16 is converted and slower than fp32.</summary>
    public bool NativeBf16 => Flags.Contains("avx512_bf16") || Flags.Contains("amx_bf16");

    private static readonly Lazy<CpuFeatures> LazyCurrent = new(() => Read("/proc/cpuinfo"));
    public static CpuFeatures Current => LazyCurrent.Value;

    public static CpuFeatures Read(string cpuinfoPath)
    {
        string model = "unknown CPU";
        var flags = new HashSet<string>();
        if (File.Exists(cpuinfoPath))
        {
            foreach (string line in File.ReadLines(cpuinfoPath))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "model name" && model == "unknown CPU") model = value;
                else if (key is "flags" or "Features" && flags.Count == 0) flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (model != "unknown CPU" && flags.Count > 0) break;
            }
        }
        return new CpuFeatures(model, FlagsOfInterest.Where(flags.Contains).ToList(), Environment.ProcessorCount);
    }

    public override string ToString() =>
        $"{ModelName}; {AvailableCores} core(s) available; flags: {(Flags.Count == 0 ? "none of interest" : string.Join(" ", Flags))}; native bf16: {(NativeBf16 ? "yes" : "no")}";
}
