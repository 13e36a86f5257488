namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>Longest-match of user-defined pieces, which SentencePiece takes whole before merging.</summary>
internal sealed class UserDefinedMatcher(List<(string Piece, int Id)> pieces)
{
    private readonly (string Piece, int Id)[] _byLength = pieces.OrderByDescending(p => p.Piece.Length).ToArray();

    public bool Match(ReadOnlySpan<char> text, out int length, out int id)
    {
        foreach (var (piece, pid) in _byLength)
            if (text.StartsWith(piece, StringComparison.Ordinal)) { length = piece.Length; id = pid; return true; }
        length = 0; id = 0;
        return false;
    }
}
