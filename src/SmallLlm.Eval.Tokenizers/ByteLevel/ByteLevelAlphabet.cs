namespace SmallLlm.Eval.Tokenizers.ByteLevel;

/// <summary>
/// GPT-2's byte-to-character table used by byte-level BPE vocabularies in tokenizer.json: printable Latin-1 bytes map
/// to themselves, the other 68 bytes to U+0100 upwards in byte order.
/// </summary>
public static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, (byte)b)).ToDictionary(x => x.c, x => x.Item2);

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>The bytes a vocabulary string stands for, or null when it has characters outside the table.</summary>
    public static byte[]? ToBytes(string s)
    {
        var bytes = new byte[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (!CharToByte.TryGetValue(s[i], out bytes[i])) return null;
        }
        return bytes;
    }

    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }
}
