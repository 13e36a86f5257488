using System.Globalization;

namespace SmallLlm.Eval.Cli;

/// <summary>Human-readable numbers for tables.</summary>
public static class Units
{
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int u = 0;
        while (Math.Abs(bytes) >= 1024 && u < units.Length - 1) { bytes /= 1024; u++; }
        return u == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.##} {units[u]}");
    }

    public static string Count(double n)
    {
        string[] units = ["", "K", "M", "G", "T", "P"];
        int u = 0;
        while (Math.Abs(n) >= 1000 && u < units.Length - 1) { n /= 1000; u++; }
        return string.Create(CultureInfo.InvariantCulture, $"{n:0.###}{units[u]}");
    }

    /// <summary>Shows whitespace and control characters of a token visibly.</summary>
    public static string Printable(string piece) =>
        piece.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
}
