using System.Runtime.InteropServices;
using TorchSharp;

namespace SmallLlm.Eval.Engine.Hardware;

/// <summary>
/// Threads of the math libraries and how they wait. libtorch's OpenMP (GNU libgomp) spins at barriers by default; when
/// another process takes a core, the spinning threads wait for a descheduled one and throughput collapses instead of
/// being shared. So before libtorch loads we ask for passive waiting (OMP_WAIT_POLICY=PASSIVE, unless the user set it)
/// and default to the cores this process may actually use (affinity and cgroup quota), not the machine's.
/// </summary>
public static class EngineThreads
{
    private static int? _requested;
    private static bool _applied;

    /// <summary>The wait policy the OpenMP runtime was started with ("PASSIVE", "ACTIVE", or "default" when unset).</summary>
    public static string WaitPolicy => Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "default";

    /// <summary>
    /// Sets OMP_WAIT_POLICY (and KMP_BLOCKTIME for an Intel OpenMP runtime) in the native environment, where the OpenMP
    /// runtime reads it when libtorch loads. Call before the first torch call; a value the user exported wins.
    /// </summary>
    public static void PrepareWaitPolicy(string policy = "PASSIVE")
    {
        SetIfUnset("OMP_WAIT_POLICY", policy.ToUpperInvariant());
        if (policy.Equals("PASSIVE", StringComparison.OrdinalIgnoreCase)) SetIfUnset("KMP_BLOCKTIME", "0");
    }

    /// <summary>Threads to use: the number asked for, else every core this process may use.</summary>
    public static int Threads => _requested ?? Environment.ProcessorCount;

    /// <summary>Asks for <paramref name="threads"/> (null: the default); applied at once if libtorch is already in use.</summary>
    public static void Request(int? threads)
    {
        if (threads is < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}");
        _requested = threads;
        if (_applied) torch.set_num_threads(Threads);
    }

    /// <summary>Called before the first model is built.</summary>
    public static void Apply()
    {
        torch.set_num_threads(Threads);
        _applied = true;
    }

    private static void SetIfUnset(string name, string value)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) return;
        Environment.SetEnvironmentVariable(name, value); // the managed view, for WaitPolicy
        // .NET keeps its own copy of the environment on Unix: the native one (what libgomp reads) needs setenv.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) setenv(name, value, 0);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
