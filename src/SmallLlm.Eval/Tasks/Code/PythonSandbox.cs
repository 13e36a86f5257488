using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Runs a Python test program in a separate process. Isolated (the default, for root and ordinary users alike):
/// fresh user, mount, network, PID, IPC and UTS namespaces made with <c>unshare</c> (util-linux; unprivileged user
/// namespaces), a new root with read-only system folders, a private /tmp, a fresh /proc and no network, the
/// results, cache, model and home folders not there at all, no capabilities, and everything dies with the harness
/// (parent-death signal, PID namespace). Limits hold for the whole program: memory and processes through a cgroup
/// where the harness may create one, else a process count times a per-process address-space cap that cannot exceed
/// the total; file size; the private /tmp's size; wall time. As root the program also runs as an unprivileged uid
/// of its own. Unisolated (only with --allow-unsandboxed-execution, where no namespaces work): rlimits and a fresh
/// temporary folder only. A run passes only when the program's own code returned normally: see
/// <see cref="SandboxScripts.Runner"/>.
/// </summary>
public sealed class PythonSandbox
{
    private const long MiB = 1L << 20;
    private const int MinProcessMegabytes = 64;
    private static readonly Dictionary<string, PythonSandbox?> Probed = new();
    private static readonly object ProbeLock = new();
    private static readonly string[] SystemFolders = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/"];
    private static int _nextUid;

    public string Python { get; }
    public bool Isolated { get; }
    public string Isolation => Isolated
        ? "user/mount/network/PID namespaces (unshare): read-only system folders only, private /tmp, fresh /proc, no network, no capabilities, dies with smalleval; whole-program limits on memory, processes, file size and wall time"
        : "NOT ISOLATED (--allow-unsandboxed-execution): per-process rlimits and a fresh temporary folder only; the code can read and write what this user can and reach the network";

    private PythonSandbox(string python, bool isolated)
    {
        Python = python;
        Isolated = isolated;
    }

    /// <summary>The sandbox for the first Python that runs (an explicit one, else /usr/bin/python3, else python3 on
    /// PATH), isolated where namespaces work, else unisolated (which callers may use only when the user allowed it);
    /// null when no Python runs at all.</summary>
    public static PythonSandbox? Find(string? python = null)
    {
        lock (ProbeLock)
        {
            string key = python ?? "";
            if (Probed.TryGetValue(key, out var known)) return known;
            var candidates = python is not null ? [python] : new List<string> { "/usr/bin/python3", "/usr/local/bin/python3", "python3" };
            PythonSandbox? found = null;
            foreach (bool isolated in new[] { true, false })
            {
                foreach (var candidate in candidates)
                {
                    var sandbox = new PythonSandbox(Resolve(candidate), isolated);
                    try
                    {
                        if (sandbox.Run("import sys\nassert sys.version_info >= (3, 8)\n", new SandboxLimits(TimeoutSeconds: 10)).Passed) { found = sandbox; break; }
                    }
                    catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException) { }
                }
                if (found is not null) break;
            }
            return Probed[key] = found;
        }
    }

    /// <summary>An absolute path for a command name (the isolated root has no PATH search of the host's).</summary>
    private static string Resolve(string command)
    {
        if (command.Contains('/')) return Path.GetFullPath(command);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)) return candidate;
        }
        return command;
    }

    /// <summary>Runs <paramref name="program"/> (a test program) under <paramref name="limits"/>; <paramref name="label"/>
    /// names the run in the process list (e.g. the problem id).</summary>
    public SandboxOutcome Run(string program, SandboxLimits limits, string label = "program")
    {
        string marker = "smalleval-passed-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string folder = Directory.CreateTempSubdirectory("smalleval-code-").FullName;
        SandboxCgroup? cgroup = null;
        try
        {
            File.WriteAllText(Path.Combine(folder, "program.py"), program);
            File.WriteAllText(Path.Combine(folder, "runner.py"), SandboxScripts.Runner);
            var psi = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment.Clear();
            psi.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
            psi.Environment["LANG"] = "C.UTF-8";
            psi.Environment["PYTHONHASHSEED"] = "0";
            string safeLabel = new string(label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
            if (Isolated) StartIsolated(psi, folder, limits, safeLabel, ref cgroup);
            else StartUnisolated(psi, folder, limits, safeLabel);
            return Execute(psi, marker, limits);
        }
        finally
        {
            cgroup?.Dispose();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private void StartIsolated(ProcessStartInfo psi, string folder, SandboxLimits limits, string label, ref SandboxCgroup? cgroup)
    {
        cgroup = SandboxCgroup.TryCreate(limits.MemoryMegabytes * MiB, limits.Processes);
        var (processes, perProcess) = cgroup is null ? Split(limits) : (limits.Processes, limits.MemoryMegabytes * MiB);
        Directory.CreateDirectory(Path.Combine(folder, "root"));
        bool root = geteuid() == 0;
        var enter = new StringBuilder();
        if (cgroup is not null) foreach (var procs in cgroup.ProcsFiles) enter.Append($"echo $$ > '{procs}' && ");
        enter.Append("exec \"$@\"");
        var args = new List<string> { "/bin/sh", "-c", enter.ToString(), "sandbox" };
        if (root)
        {
            // Root has no process limit (RLIMIT_NPROC) and may write everywhere: the program gets a uid of its own.
            int uid = 61000 + Interlocked.Increment(ref _nextUid) % 1000;
            args.AddRange(["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups"]);
            MakeReadable(folder);
        }
        args.AddRange(["setpriv", "--pdeathsig", "KILL", "unshare", "--user", "--map-root-user", "--mount", "--net", "--pid", "--ipc", "--uts",
            "--fork", "--kill-child", "/bin/sh", "-c", SandboxScripts.Setup, label, folder, processes.ToString(), perProcess.ToString(),
            (limits.FileMegabytes * MiB).ToString(), Math.Max(1, limits.TmpMegabytes).ToString(), Python]);
        if (!SystemFolders.Any(Python.StartsWith))
        {
            // A Python installed elsewhere (e.g. /opt/python/bin/python3) needs its installation folder too.
            string real = new FileInfo(Python).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Python;
            args.Add(Path.GetDirectoryName(Path.GetDirectoryName(real))!);
            if (Path.GetDirectoryName(Path.GetDirectoryName(Python)) is { } own && own != args[^1]) args.Add(own);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
    }

    /// <summary>Without a cgroup, processes × per-process cap must not exceed the total: fewer processes get more each.</summary>
    public static (int Processes, long BytesEach) Split(SandboxLimits limits)
    {
        int processes = Math.Max(1, Math.Min(limits.Processes, limits.MemoryMegabytes / MinProcessMegabytes));
        return (processes, limits.MemoryMegabytes * MiB / processes);
    }

    private void StartUnisolated(ProcessStartInfo psi, string folder, SandboxLimits limits, string label)
    {
        var (processes, perProcess) = Split(limits);
        psi.WorkingDirectory = folder;
        psi.Environment["HOME"] = folder;
        psi.Environment["TMPDIR"] = folder;
        foreach (var a in new[] { "setpriv", "--pdeathsig", "KILL", "prlimit", $"--as={perProcess}", $"--nproc={processes}",
            $"--fsize={limits.FileMegabytes * MiB}", "--core=0", "--", Python, "-I", "-B", "runner.py", label }) psi.ArgumentList.Add(a);
    }

    private static void MakeReadable(string folder)
    {
        if (OperatingSystem.IsWindows()) return; // no sandbox there: setsid, unshare and setpriv are Linux programs
        const UnixFileMode dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(folder, dir);
        File.SetUnixFileMode(Path.Combine(folder, "root"), dir);
        foreach (var f in new[] { "program.py", "runner.py" })
            File.SetUnixFileMode(Path.Combine(folder, f), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private static SandboxOutcome Execute(ProcessStartInfo psi, string marker, SandboxLimits limits)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new IOException("could not start setsid");
        var stdout = ReadTail(process.StandardOutput);
        var stderr = ReadTail(process.StandardError);
        try
        {
            process.StandardInput.Write(marker + "\n");
            process.StandardInput.Close();
        }
        catch (IOException) { } // the sandbox died before reading the marker; its exit status says why
        bool exited = process.WaitForExit(TimeSpan.FromSeconds(limits.TimeoutSeconds));
        if (!exited) KillGroup(process);
        process.WaitForExit(2000);
        // The pipes close once every process holding them is gone. A stray grandchild may keep them open: after a short
        // grace, end the whole group so they close, rather than read a loaded machine's late output as empty.
        if (!Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(1)))
        {
            KillGroup(process);
            Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10));
        }
        string output = stdout.IsCompleted ? stdout.Result : "", errors = stderr.IsCompleted ? stderr.Result : "";
        double seconds = clock.Elapsed.TotalSeconds;
        bool returned = output.TrimEnd('\n').EndsWith("\n" + marker, StringComparison.Ordinal) || output.TrimEnd('\n') == marker;
        string shown = Tail(output.Replace(marker, "").TrimEnd('\n') + (output.Length > 0 && errors.Length > 0 ? "\n" : "") + errors);
        if (!exited) return new SandboxOutcome("timeout", null, seconds, shown);
        int code = process.ExitCode;
        if (code == 0 && !returned)
            return new SandboxOutcome("failed", code, seconds, Tail(shown + "\n[smalleval] exited with status 0 before the tests returned (sys.exit, os._exit, an exit handler or a closed stdout): not a pass"));
        return new SandboxOutcome(code == 0 ? "passed" : "failed", code, seconds, shown);
    }

    private static void KillGroup(Process process)
    {
        // setsid made the sandbox's pid its process-group id: the negative pid kills the whole group at once; the
        // PID namespace's init dies with it, and with it every process inside.
        _ = PosixSignal.Kill(-process.Id, 9);
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    private static async Task<string> ReadTail(StreamReader reader)
    {
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, n);
            if (tail.Length > 8192) tail.Remove(0, tail.Length - 4096); // a program printing forever stays cheap
        }
        return tail.ToString();
    }

    private static string Tail(string s) => s.Length <= 2000 ? s : "..." + s[^2000..];
}
