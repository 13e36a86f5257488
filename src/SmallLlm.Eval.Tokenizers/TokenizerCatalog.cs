namespace SmallLlm.Eval.Tokenizers;

/// <summary>Finds a tokenizer by built-in name, by file, or in a model folder.</summary>
public static class TokenizerCatalog
{
    public static IReadOnlyList<string> BuiltInNames { get; } = BuiltInTokenizers.Names;

    /// <summary>
    /// A built-in name (llama3, llama2, cl100k_base, o200k_base, gpt2, tok512), a tokenizer file (Hugging Face
    /// tokenizer.json; SentencePiece or tiktoken-format tokenizer.model; llama2.c tok*.bin) or a folder holding one.
    /// </summary>
    public static ITextTokenizer Resolve(string nameOrPath)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath))
            throw new InvalidDataException($"no tokenizer given; use a built-in name ({string.Join(", ", BuiltInNames)}) or a path");
        if (BuiltInTokenizers.ByName.TryGetValue(nameOrPath, out var builtIn)) return builtIn.Value;
        if (Directory.Exists(nameOrPath)) return TokenizerFileLoader.FromFolder(nameOrPath);
        if (File.Exists(nameOrPath)) return TokenizerFileLoader.FromFile(nameOrPath);
        throw new InvalidDataException(
            $"unknown tokenizer '{nameOrPath}': not a built-in name ({string.Join(", ", BuiltInNames)}) and no such file or folder");
    }
}
