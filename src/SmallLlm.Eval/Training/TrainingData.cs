using System.Security.Cryptography;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Training;

/// <summary>
/// The training token stream of a text file or a folder of them: [BOS] + tokens(file) per file (BOS only where the
/// tokenizer has one), files in ordinal order of their path under the folder, concatenated; and the sha256 of the
/// bytes read, in that order, that the run's settings record.
/// </summary>
public sealed record TrainingData(int[] Tokens, IReadOnlyList<string> Files, long Bytes, string Sha256)
{
    public static TrainingData Read(string path, ITextTokenizer tokenizer)
    {
        string[] files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .OrderBy(f => Path.GetRelativePath(path, f), StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"--data {path}: no such file or folder");
        if (files.Length == 0) throw new InvalidDataException($"--data {path}: the folder holds no files");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var tokens = new List<int>();
        long bytes = 0;
        foreach (string file in files)
        {
            byte[] data = File.ReadAllBytes(file);
            sha.AppendData(data);
            bytes += data.Length;
            if (tokenizer.BosId is int bos) tokens.Add(bos);
            tokens.AddRange(tokenizer.Encode(System.Text.Encoding.UTF8.GetString(data)));
        }
        return new TrainingData(tokens.ToArray(), files, bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
