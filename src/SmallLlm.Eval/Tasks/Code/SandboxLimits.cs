namespace SmallLlm.Eval.Tasks.Code;

/// <summary>Limits for one run of model-written code, for the program and all its children together.</summary>
/// <param name="TimeoutSeconds">Wall clock; the whole program is killed at this limit.</param>
/// <param name="MemoryMegabytes">Memory of the whole program: a cgroup's limit where one can be made, else split
/// over the processes as an address-space cap each (so processes × cap never exceeds it).</param>
/// <param name="FileMegabytes">Largest file a process may write (RLIMIT_FSIZE).</param>
/// <param name="Processes">Processes at once (cgroup pids.max and RLIMIT_NPROC), so a fork bomb stops at this count.</param>
/// <param name="TmpMegabytes">Size of the private /tmp (all files written together).</param>
public sealed record SandboxLimits(double TimeoutSeconds = 3, int MemoryMegabytes = 1024, int FileMegabytes = 16, int Processes = 32, int TmpMegabytes = 64);
