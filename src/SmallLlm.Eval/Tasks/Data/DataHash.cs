using System.Security.Cryptography;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>SHA-256 over a set of data files (paths relative to a root, then contents), so results name their exact data.</summary>
public static class DataHash
{
    public static string Of(string root, IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in files.OrderBy(f => Path.GetRelativePath(root, f).Replace('\\', '/'), StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(root, f).Replace('\\', '/') + "\n"));
            hash.AppendData(File.ReadAllBytes(f));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
