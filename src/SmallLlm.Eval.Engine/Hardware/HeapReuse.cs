using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Engine.Hardware;

/// <summary>
/// libtorch allocates every activation, KV cache and logits chunk with malloc. glibc serves blocks above its mmap
/// threshold (128 KiB, adapting up to 32 MiB) with fresh mappings and unmaps them on free, so each forward pass faults
/// in and zeroes its pages again: a perf profile of 5-shot MMLU scoring spent ~9% of its samples in the kernel's page
/// clearing. Raising the mmap threshold and the trim threshold keeps freed blocks in the heap for the next pass (the
/// profile's page clearing fell to ~1%). Freed memory then stays with the process until it exits or calls malloc_trim
/// (ProcessMemory.ResetPeak does). Values the user exported (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) win.
/// </summary>
public static class HeapReuse
{
    private const int TrimThreshold = -1, MmapThreshold = -3; // glibc's M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    private static bool _applied;

    /// <summary>Whether the thresholds were raised in this process (false off glibc, or where the user set them).</summary>
    public static bool Applied => _applied;

    public static void Apply()
    {
        if (_applied || !OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null) return;
        try
        {
            _applied = mallopt(MmapThreshold, 256 << 20) == 1 & mallopt(TrimThreshold, 1 << 30) == 1;
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { } // not glibc (musl): its allocator has no such thresholds
    }

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);
}
