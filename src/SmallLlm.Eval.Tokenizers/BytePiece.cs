using System.Text;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>Display form of a token's bytes: UTF-8 text where valid, &lt;0xXX&gt; for bytes that are not.</summary>
public static class BytePiece
{
    public static string Display(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done) sb.Append(rune.ToString());
            else for (int i = 0; i < consumed; i++) sb.Append($"<0x{bytes[i]:X2}>");
            bytes = bytes[consumed..];
        }
        return sb.ToString();
    }
}
