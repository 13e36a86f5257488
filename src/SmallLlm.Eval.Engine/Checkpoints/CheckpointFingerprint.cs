using System.Security.Cryptography;
using SmallLlm.Eval.Engine.BundledModels;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>SHA-256 over a checkpoint's bytes (config and every weight file, in a fixed order): the identity of the weights.</summary>
public static class CheckpointFingerprint
{
    public static string Sha256(string pathOrName)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(Stream s)
        {
            var buffer = new byte[1 << 20];
            int n;
            while ((n = s.Read(buffer)) > 0) hash.AppendData(buffer, 0, n);
        }
        if (BundledModel.Resolve(pathOrName) is { } bundled)
        {
            using var s = bundled.Open();
            Add(s);
        }
        else if (Directory.Exists(pathOrName) && HuggingFaceCheckpoint.LooksLikeFolder(pathOrName))
        {
            var files = new List<string> { Path.Combine(pathOrName, HuggingFaceCheckpoint.ConfigFile) };
            files.AddRange(HuggingFaceCheckpoint.WeightFiles(pathOrName).OrderBy(f => f, StringComparer.Ordinal));
            foreach (var f in files.Where(File.Exists))
            {
                using var s = File.OpenRead(f);
                Add(s);
            }
        }
        else
        {
            string file = Directory.Exists(pathOrName) ? Directory.GetFiles(pathOrName, "*.bin").Single() : pathOrName;
            using var s = File.OpenRead(file);
            Add(s);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
