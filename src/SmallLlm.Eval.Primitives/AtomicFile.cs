using System.Text;

namespace SmallLlm.Eval.Primitives;

/// <summary>
/// Writes a file to a temporary name beside it (<c>.NAME.PID.tmp</c>) and renames it into place, so a killed process
/// never leaves a half-written file that looks complete: results, reports, plots, manifests.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text (no BOM, "\n" line ends) through <paramref name="write"/>, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<TextWriter> write) => Replace(path, tmp =>
    {
        using var writer = new StreamWriter(tmp, false, new UTF8Encoding(false)) { NewLine = "\n" };
        write(writer);
    });

    public static void WriteText(string path, string text) => Write(path, w => w.Write(text));

    public static void WriteBytes(string path, byte[] bytes) => Replace(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>The temporary name a write to <paramref name="path"/> by this process uses (stale ones are removed by the results writer).</summary>
    public static string TemporaryFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    private static void Replace(string path, Action<string> writeTemporary)
    {
        string tmp = TemporaryFor(path);
        try
        {
            writeTemporary(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
