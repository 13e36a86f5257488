namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// A tokenizer that turns ordinary text into ids and back. Encode never adds BOS/EOS. Built-in, SentencePiece and
/// tiktoken tokenizers never turn the text of a special token ("&lt;s&gt;", "&lt;|begin_of_text|&gt;") into a control id;
/// byte-level tokenizer.json files match their added tokens in text as transformers does (what lm-evaluation-harness
/// gets from a Hugging Face tokenizer). <see cref="BosId"/> is the BOS prompts start with, null when the tokenizer adds none.
/// </summary>
public interface ITextTokenizer
{
    string Name { get; }

    /// <summary>Number of ids, special tokens included.</summary>
    int VocabSize { get; }

    int? BosId { get; }

    int? EosId { get; }

    IReadOnlyList<int> Encode(string text);

    /// <summary>Special (control) ids decode to nothing for SentencePiece-style tokenizers and to their text for
    /// tiktoken-style ones (as the reference libraries do); see each implementation.</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>Display form of one token (bytes that are not valid UTF-8 on their own show as &lt;0xXX&gt;).</summary>
    string IdToPiece(int id);

    /// <summary>Equal to Encode(text).Count, without building the list where the implementation can avoid it.</summary>
    int CountTokens(string text);
}
