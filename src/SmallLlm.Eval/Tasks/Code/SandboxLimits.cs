namespace SmallLlm.Eval.Tasks.Code;

/// <summary>Limits for one run of model-written code.</summary>
/// <param name="TimeoutSeconds">Wall clock; the whole process tree is killed at this limit (CPU time is capped one second later).</param>
/// <param name="MemoryMegabytes">Address space of each process (RLIMIT_AS).</param>
/// <param name="FileMegabytes">Largest file a process may write (RLIMIT_FSIZE).</param>
/// <param name="Processes">Processes of the sandbox user (RLIMIT_NPROC), so a fork bomb stops at this count.</param>
public sealed record SandboxLimits(double TimeoutSeconds = 3, int MemoryMegabytes = 1024, int FileMegabytes = 16, int Processes = 32);
