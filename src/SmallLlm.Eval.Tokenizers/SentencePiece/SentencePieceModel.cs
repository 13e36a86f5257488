namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>Piece types of SentencePiece's ModelProto.</summary>
public enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

public sealed record ModelPiece(string Piece, float Score, PieceType Type);

/// <summary>The parts of a SentencePiece model that encoding needs.</summary>
public sealed record SentencePieceModel(
    IReadOnlyList<ModelPiece> Pieces,
    bool IsBpe,
    bool ByteFallback,
    bool AddDummyPrefix,
    bool RemoveExtraWhitespaces,
    bool EscapeWhitespaces,
    string NormalizerName,
    int UnkId,
    int BosId,
    int EosId);
