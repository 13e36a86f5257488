using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// The vocabulary of a checkpoint that brings no tokenizer, for commands given token ids (<c>--tokens</c>): its size
/// and the config's BOS/EOS ids, nothing more. Text in or out is refused with the fix, never guessed.
/// </summary>
public sealed class TokenIdsOnly(LlamaConfig config, string model) : ITextTokenizer
{
    public string Name => "ids-only";
    public int VocabSize => config.VocabSize;
    public int? BosId => config.BosTokenId;
    public int? EosId => config.EosTokenId;

    private ArgumentException NoText() =>
        new($"model '{model}' brings no tokenizer (no tokenizer.json, tokenizer.model or tok*.bin beside it): pass --tokenizer NAME|PATH to read or write text");

    public IReadOnlyList<int> Encode(string text) => throw NoText();
    public string Decode(IReadOnlyList<int> ids) => throw NoText();
    public int CountTokens(string text) => throw NoText();

    /// <summary>Display only: the id's piece is unknown, so the column stays empty.</summary>
    public string IdToPiece(int id) => "";
}
