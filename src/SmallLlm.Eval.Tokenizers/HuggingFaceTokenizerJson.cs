namespace SmallLlm.Eval.Tokenizers;

/// <summary>Hugging Face tokenizer.json (BPE models).</summary>
public static class HuggingFaceTokenizerJson
{
    public static ITextTokenizer Load(byte[] data, string source) =>
        throw new InvalidDataException($"{source}: tokenizer.json loading is not implemented yet");
}
