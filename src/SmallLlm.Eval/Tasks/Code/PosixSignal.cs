using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>kill(2), for process groups and pids that .NET's Process does not own.</summary>
internal static class PosixSignal
{
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public static int Kill(int pid, int signal)
    {
        try { return SysKill(pid, signal); }
        catch (DllNotFoundException) { return -1; }
    }
}
