using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Engine.Benchmarks;

/// <summary>Resident memory of this process from /proc (Linux); the peak can be reset between measurements.</summary>
public static class ProcessMemory
{
    public static bool Available => File.Exists("/proc/self/status");

    public static long ResidentBytes => Read("VmRSS:");
    public static long PeakResidentBytes => Read("VmHWM:");

    /// <summary>
    /// Returns freed heap memory to the OS (glibc keeps it otherwise, which would hide the next run's growth) and resets
    /// VmHWM to the current RSS (writing 5 to clear_refs), so the next peak belongs to the next run.
    /// </summary>
    public static void ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try { malloc_trim(UIntPtr.Zero); } catch (DllNotFoundException) { } catch (EntryPointNotFoundException) { }
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(UIntPtr pad);

    private static long Read(string key)
    {
        if (!Available) return 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
        return 0;
    }
}
