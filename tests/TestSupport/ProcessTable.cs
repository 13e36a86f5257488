namespace SmallLlm.Eval.TestSupport;

/// <summary>The processes of this machine, read from /proc: how tests see that nothing a run started outlived it.</summary>
public static class ProcessTable
{
    /// <summary>Ids of the processes (other than this one) whose command line contains <paramref name="token"/>.</summary>
    public static List<int> ProcessesWith(string token)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId) continue;
            try { if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(token)) found.Add(pid); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
