using System.Text;

namespace SmallLlm.Eval.Tokenizers.Tiktoken;

/// <summary>
/// The tiktoken vocabulary format: one "base64(token bytes) rank" per line. Also reads the form the
/// Microsoft.ML.Tokenizers.Data packages embed: a "Capacity: N" line, then one base64 token per line in rank order.
/// </summary>
public static class TiktokenFile
{
    /// <summary>Parses and checks a tiktoken file; returns the token bytes indexed by rank.</summary>
    public static byte[][] Read(byte[] data, string source)
    {
        var tokens = new List<byte[]>();
        int lineNo = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            if (end < 0) end = data.Length;
            lineNo++;
            var line = Encoding.ASCII.GetString(data, pos, end - pos).TrimEnd('\r');
            pos = end + 1;
            if (line.Length == 0 || (lineNo == 1 && line.StartsWith("Capacity: "))) continue;
            int space = line.IndexOf(' ');
            int rank = tokens.Count;
            if (space < 0) space = line.Length; // rank implied by position
            else if (space == 0 || line.IndexOf(' ', space + 1) >= 0)
                throw new InvalidDataException($"{source}: line {lineNo}: expected 'base64-token rank', got '{Shorten(line)}'");
            else if (!int.TryParse(line.AsSpan(space + 1), out rank))
                throw new InvalidDataException($"{source}: line {lineNo}: rank '{Shorten(line[(space + 1)..])}' is not an integer");
            byte[] bytes;
            try { bytes = Convert.FromBase64String(line[..space]); }
            catch (FormatException) { throw new InvalidDataException($"{source}: line {lineNo}: '{Shorten(line[..space])}' is not valid base64"); }
            if (rank != tokens.Count)
                throw new InvalidDataException($"{source}: line {lineNo}: rank {rank} out of order (expected {tokens.Count}; ranks must be 0, 1, 2, ...)");
            tokens.Add(bytes);
        }
        if (tokens.Count < 256) throw new InvalidDataException($"{source}: only {tokens.Count} tokens; a tiktoken vocabulary has at least the 256 single bytes");
        return tokens.ToArray();
    }

    public static bool LooksLikeTiktoken(byte[] data)
    {
        // The first line of every tiktoken file is "base64 0".
        int end = Array.IndexOf(data, (byte)'\n');
        if (end <= 0 || end > 200) return false;
        var line = Encoding.ASCII.GetString(data, 0, end).TrimEnd('\r');
        return line.EndsWith(" 0") && line.IndexOf(' ') == line.Length - 2;
    }

    public static MemoryStream ToStream(IReadOnlyList<byte[]> tokens)
    {
        var sb = new StringBuilder(tokens.Count * 16);
        for (int i = 0; i < tokens.Count; i++) sb.Append(Convert.ToBase64String(tokens[i])).Append(' ').Append(i).Append('\n');
        return new MemoryStream(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
