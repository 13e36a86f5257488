namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// A control group for one sandboxed run, so that memory and process limits hold for the program and all its
/// children together: cgroup v2 (memory.max, pids.max) or v1 (memory and pids hierarchies), created beside the
/// harness's own group. Only where the harness may create groups (usually as root); <see cref="TryCreate"/> returns
/// null elsewhere and the sandbox splits the memory limit over its processes instead.
/// </summary>
public sealed class SandboxCgroup : IDisposable
{
    private static int _counter;
    private readonly List<string> _folders;

    /// <summary>The cgroup.procs files the first sandbox process writes its pid into.</summary>
    public IReadOnlyList<string> ProcsFiles => _folders.Select(f => Path.Combine(f, "cgroup.procs")).ToList();

    private SandboxCgroup(List<string> folders) => _folders = folders;

    public static SandboxCgroup? TryCreate(long memoryBytes, int processes)
    {
        string name = $"smalleval-sandbox-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        var created = new List<string>();
        try
        {
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                string parent = Path.Combine("/sys/fs/cgroup", OwnPath("0").TrimStart('/'));
                string folder = Path.Combine(parent, name);
                RemoveStale(parent);
                Directory.CreateDirectory(folder);
                created.Add(folder);
                File.WriteAllText(Path.Combine(folder, "memory.max"), memoryBytes.ToString());
                File.WriteAllText(Path.Combine(folder, "memory.swap.max"), "0");
                File.WriteAllText(Path.Combine(folder, "pids.max"), processes.ToString());
            }
            else
            {
                foreach (var (controller, limitFile, value) in new[] { ("memory", "memory.limit_in_bytes", memoryBytes.ToString()), ("pids", "pids.max", processes.ToString()) })
                {
                    string root = Path.Combine("/sys/fs/cgroup", controller);
                    string own = Path.Combine(root, OwnPath(controller).TrimStart('/'));
                    string folder = Path.Combine(Directory.Exists(own) ? own : root, name);
                    RemoveStale(Path.GetDirectoryName(folder)!);
                    Directory.CreateDirectory(folder);
                    created.Add(folder);
                    File.WriteAllText(Path.Combine(folder, limitFile), value);
                }
            }
            return new SandboxCgroup(created);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            new SandboxCgroup(created).Dispose();
            return null;
        }
    }

    private static readonly HashSet<string> Swept = new();

    /// <summary>Groups left by a smalleval that was killed (kill -9 skips its cleanup): once per folder and process,
    /// those whose process is gone are emptied and removed.</summary>
    private static void RemoveStale(string parent)
    {
        lock (Swept) if (!Swept.Add(parent)) return;
        foreach (var dir in Directory.EnumerateDirectories(parent, "smalleval-sandbox-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length != 4 || !int.TryParse(parts[2], out int pid) || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            new SandboxCgroup([dir]).Dispose();
        }
    }

    /// <summary>This process's group in a hierarchy: "0" is cgroup v2's line of /proc/self/cgroup, else a v1
    /// controller name.</summary>
    private static string OwnPath(string controller)
    {
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && (controller == "0" ? parts[0] == "0" : parts[1].Split(',').Contains(controller))) return parts[2];
        }
        return "/";
    }

    /// <summary>Kills whatever is left in the group and removes it.</summary>
    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            for (int attempt = 0; attempt < 150 && Directory.Exists(folder); attempt++)
            {
                try
                {
                    string kill = Path.Combine(folder, "cgroup.kill");
                    if (File.Exists(kill)) File.WriteAllText(kill, "1");
                    else foreach (var pid in File.ReadAllLines(Path.Combine(folder, "cgroup.procs"))) if (int.TryParse(pid, out int p)) _ = PosixSignal.Kill(p, 9);
                    Directory.Delete(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Thread.Sleep(20); }
            }
        }
    }
}
