using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>A GGUF's own vocabulary, through llama.cpp, as a text tokenizer: what `serve --backend llamacpp` parses
/// text prompts with. <see cref="BosId"/> is set only when the GGUF asks for BOS (tokenizer.ggml.add_bos_token).</summary>
public sealed class LlamaCppTokenizer(LlamaCppModel model) : ITextTokenizer
{
    public string Name => $"gguf:{System.IO.Path.GetFileName(model.Path)}";
    public int VocabSize => model.VocabSize;
    public int? BosId => model.AddBos ? model.BosId : null;
    public int? EosId => model.EosId;
    public IReadOnlyList<int> Encode(string text) => model.Tokenize(text);
    public string Decode(IReadOnlyList<int> ids) => model.Decode(ids);
    public string IdToPiece(int id) => model.TokenText(id);
    public int CountTokens(string text) => model.Tokenize(text).Length;
}
