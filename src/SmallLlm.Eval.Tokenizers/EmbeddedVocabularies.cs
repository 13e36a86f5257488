using System.IO.Compression;
using System.Reflection;
using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>The vocabularies embedded in this assembly (see Vocabularies/NOTICE.md) and in the Microsoft.ML.Tokenizers.Data packages.</summary>
internal static class EmbeddedVocabularies
{
    private static readonly Assembly Self = typeof(EmbeddedVocabularies).Assembly;

    public static byte[] Read(string file)
    {
        string name = "SmallLlm.Eval.Tokenizers.Vocabularies." + file;
        using var stream = Self.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var input = file.EndsWith(".gz") ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Llama 3's 128,000 ranks, stored as a length byte and the token's bytes each.</summary>
    public static byte[][] Llama3Tokens()
    {
        byte[] data = Read("llama3.tokens.gz");
        var tokens = new List<byte[]>(128_000);
        for (int pos = 0; pos < data.Length;)
        {
            int len = data[pos];
            tokens.Add(data.AsSpan(pos + 1, len).ToArray());
            pos += 1 + len;
        }
        return tokens.ToArray();
    }

    public static Dictionary<string, int> Llama3SpecialTokens() =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(Read("llama3.special_tokens.json"))!;

    /// <summary>The deflated tiktoken files that the Microsoft.ML.Tokenizers.Data.* packages embed.</summary>
    public static Stream MicrosoftDataPackage(string assemblyName, string resource)
    {
        var assembly = Assembly.Load(assemblyName);
        var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assemblyName} has no resource {resource}");
        using var inflated = new DeflateStream(stream, CompressionMode.Decompress);
        var buffer = new MemoryStream();
        inflated.CopyTo(buffer);
        buffer.Position = 0;
        return buffer;
    }
}
