namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>
/// A tokenizer as GGUF metadata: "llama" (SentencePiece pieces with scores) or "gpt2" (byte-level BPE with merges).
/// Token types follow SentencePiece's: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
/// </summary>
public sealed record GgufVocabulary(string Model, string[] Tokens, int[] TokenTypes, float[]? Scores, string[]? Merges,
    int? BosId, int? EosId, int? UnknownId, bool AddBos, string? Pre = null)
{
    public IEnumerable<(string Key, GgufValueType Type, object Value)> Metadata()
    {
        yield return ("tokenizer.ggml.model", GgufValueType.String, Model);
        if (Pre is not null) yield return ("tokenizer.ggml.pre", GgufValueType.String, Pre);
        yield return ("tokenizer.ggml.tokens", GgufValueType.Array, Tokens);
        if (Scores is not null) yield return ("tokenizer.ggml.scores", GgufValueType.Array, Scores);
        yield return ("tokenizer.ggml.token_type", GgufValueType.Array, TokenTypes);
        if (Merges is not null) yield return ("tokenizer.ggml.merges", GgufValueType.Array, Merges);
        if (BosId is int b) yield return ("tokenizer.ggml.bos_token_id", GgufValueType.UInt32, b);
        if (EosId is int e) yield return ("tokenizer.ggml.eos_token_id", GgufValueType.UInt32, e);
        if (UnknownId is int u) yield return ("tokenizer.ggml.unknown_token_id", GgufValueType.UInt32, u);
        yield return ("tokenizer.ggml.add_bos_token", GgufValueType.Bool, AddBos);
        yield return ("tokenizer.ggml.add_eos_token", GgufValueType.Bool, false);
    }
}
