namespace SmallLlm.Eval.Tokenizers;

/// <summary>The embedded vocabularies in their original file formats, for tools that take files (e.g. benchmark baselines).</summary>
public static class BuiltInVocabularyFiles
{
    /// <summary>Llama 2's SentencePiece tokenizer.model.</summary>
    public static Stream Llama2SentencePieceModel() => new MemoryStream(EmbeddedVocabularies.Read("llama2.model.gz"));
}
