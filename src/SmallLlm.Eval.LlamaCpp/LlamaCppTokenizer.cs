using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>A GGUF's own vocabulary, as llama.cpp tokenizes with it, behind the tokenizer interface (what `serve --backend
/// llamacpp` parses text prompts with). <see cref="BosId"/> is set only when the GGUF asks for BOS
/// (tokenizer.ggml.add_bos_token); <see cref="IdToPiece"/> shows control tokens' text ("&lt;/s&gt;").</summary>
public sealed class LlamaCppTokenizer(LlamaCppModel model, string name) : ITextTokenizer
{
    public string Name => name;
    public int VocabSize => model.VocabSize;
    public int? BosId => model.AddBos ? model.BosId : null;
    public int? EosId => model.EosId;
    public IReadOnlyList<int> Encode(string text) => model.Tokenize(text);
    public string Decode(IReadOnlyList<int> ids) => model.Decode(ids);
    public string IdToPiece(int id) => model.TokenText(id);
    public int CountTokens(string text) => model.Tokenize(text).Length;
}
