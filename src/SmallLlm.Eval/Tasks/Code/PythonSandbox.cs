using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Runs a Python test program in a separate process with limits. As root (where unshare works) each run gets new
/// mount, network and PID namespaces: no network, fresh empty tmpfs on /tmp, /var/tmp, /run/lock and /dev/shm (the
/// program runs in /tmp/run), an unprivileged uid of its own (so it cannot write anywhere else), rlimits on memory,
/// CPU, file size and processes, and every process dies with the namespace. Elsewhere it falls back to rlimits, a
/// fresh temporary folder and killing the process group; <see cref="Isolation"/> says which.
/// </summary>
public sealed class PythonSandbox
{
    private const string Tmpfs = "mount -t tmpfs -o size=64m,mode=1777 tmpfs";
    private static readonly Dictionary<string, PythonSandbox?> Probed = new();
    private static readonly object ProbeLock = new();
    private int _nextUid;

    public string Python { get; }
    public bool Namespaces { get; }
    public string Isolation => Namespaces
        ? "separate mount/network/PID namespaces, no network, private tmpfs, own uid, rlimits (memory, CPU, file size, processes)"
        : "rlimits (memory, CPU, file size) and a fresh temporary folder only: no network or filesystem isolation on this machine";

    private PythonSandbox(string python, bool namespaces)
    {
        Python = python;
        Namespaces = namespaces;
    }

    /// <summary>The sandbox for the first Python that runs (an explicit one, else /usr/bin/python3, else python3 on
    /// PATH), with namespaces where they work; null when no Python runs at all.</summary>
    public static PythonSandbox? Find(string? python = null)
    {
        lock (ProbeLock)
        {
            string key = python ?? "";
            if (Probed.TryGetValue(key, out var known)) return known;
            var candidates = python is not null ? [python] : new List<string> { "/usr/bin/python3", "/usr/local/bin/python3", "python3" };
            PythonSandbox? found = null;
            foreach (bool namespaces in new[] { true, false })
            {
                foreach (var candidate in candidates)
                {
                    var sandbox = new PythonSandbox(candidate, namespaces);
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

    public SandboxOutcome Run(string program, SandboxLimits limits)
    {
        long memory = (long)limits.MemoryMegabytes << 20, fsize = (long)limits.FileMegabytes << 20;
        int cpu = (int)Math.Ceiling(limits.TimeoutSeconds) + 1;
        string prlimit = $"prlimit --as={memory} --cpu={cpu} --fsize={fsize} --core=0";
        string? folder = null;
        var psi = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        psi.Environment["LANG"] = "C.UTF-8";
        psi.Environment["PYTHONHASHSEED"] = "0";
        if (Namespaces)
        {
            // Distinct uids per run so that one run's fork bomb does not use up another's process limit.
            int uid = 61000 + Interlocked.Increment(ref _nextUid) % 1000;
            psi.Environment["HOME"] = "/tmp/run";
            string script = $"{Tmpfs} /tmp && {Tmpfs} /var/tmp && {Tmpfs} /dev/shm && {{ [ ! -d /run/lock ] || {Tmpfs} /run/lock; }} " +
                $"&& mkdir /tmp/run && cd /tmp/run && cat > program.py && chown -R {uid}:{uid} /tmp/run " +
                $"&& exec setpriv --reuid={uid} --regid={uid} --clear-groups {prlimit} --nproc={limits.Processes} -- {Python} -I -B program.py";
            foreach (var a in new[] { "unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "/bin/sh", "-c", script }) psi.ArgumentList.Add(a);
        }
        else
        {
            folder = Directory.CreateTempSubdirectory("smalleval-code-").FullName;
            File.WriteAllText(Path.Combine(folder, "program.py"), program);
            psi.WorkingDirectory = folder;
            psi.Environment["HOME"] = folder;
            psi.Environment["TMPDIR"] = folder;
            foreach (var a in new[] { "/bin/sh", "-c", $"exec {prlimit} -- {Python} -I -B program.py" }) psi.ArgumentList.Add(a);
        }
        var clock = Stopwatch.StartNew();
        try
        {
            using var process = Process.Start(psi) ?? throw new IOException("could not start setsid");
            var stdout = ReadTail(process.StandardOutput);
            var stderr = ReadTail(process.StandardError);
            try
            {
                if (Namespaces) process.StandardInput.Write(program);
                process.StandardInput.Close();
            }
            catch (IOException) { } // the sandbox died before reading the program; its exit status says why
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(limits.TimeoutSeconds));
            if (!exited) KillGroup(process);
            process.WaitForExit(2000);
            // Output pipes may stay open in a stray grandchild outside a namespace: do not wait on them for long.
            Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(1));
            string output = Tail((stdout.IsCompleted ? stdout.Result : "") + (stderr.IsCompleted ? stderr.Result : ""));
            double seconds = clock.Elapsed.TotalSeconds;
            if (!exited) return new SandboxOutcome("timeout", null, seconds, output);
            int code = process.ExitCode;
            return new SandboxOutcome(code == 0 ? "passed" : "failed", code, seconds, output);
        }
        finally
        {
            if (folder is not null) try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void KillGroup(Process process)
    {
        // setsid made the sandbox's pid its process-group id: the negative pid kills the whole group at once.
        try { _ = kill(-process.Id, 9); } catch (DllNotFoundException) { }
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

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
