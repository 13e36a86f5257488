using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>A GGUF's own vocabulary, as llama.cpp tokenizes with it, behind the tokenizer interface tasks count with.</summary>
public sealed class LlamaCppTokenizer(LlamaCppModel model, string name) : ITextTokenizer
{
    public string Name => name;
    public int VocabSize => model.VocabSize;
    public int? BosId => model.BosId;
    public int? EosId => model.EosId;
    public IReadOnlyList<int> Encode(string text) => model.Tokenize(text);
    public string Decode(IReadOnlyList<int> ids) => model.Decode(ids);
    public string IdToPiece(int id) => model.Decode([id]);
    public int CountTokens(string text) => model.Tokenize(text).Length;
}
