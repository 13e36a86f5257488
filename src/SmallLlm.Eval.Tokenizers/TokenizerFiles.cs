namespace SmallLlm.Eval.Tokenizers;

/// <summary>
/// The file behind a tokenizer name or path, to ship beside a model (a trained checkpoint brings its tokenizer):
/// a file as it is, the file a folder would be loaded from, or an embedded vocabulary in its original format.
/// </summary>
public static class TokenizerFiles
{
    /// <summary>(file name, bytes) that <see cref="TokenizerFileLoader.FromFolder"/> loads back as the same tokenizer.</summary>
    public static (string FileName, byte[] Bytes) For(string nameOrPath)
    {
        if (nameOrPath.Equals("tok512", StringComparison.OrdinalIgnoreCase)) return ("tok512.bin", EmbeddedVocabularies.Read("tok512.bin"));
        if (nameOrPath.Equals("llama2", StringComparison.OrdinalIgnoreCase)) return ("tokenizer.model", EmbeddedVocabularies.Read("llama2.model.gz"));
        if (BuiltInTokenizers.ByName.ContainsKey(nameOrPath))
            throw new ArgumentException($"tokenizer '{nameOrPath}' is built in without a file a model folder can carry: pass its tokenizer file (-t PATH) instead");
        string path = nameOrPath;
        if (Directory.Exists(nameOrPath))
        {
            path = TokenizerFileLoader.FolderCandidates.Select(c => Path.Combine(nameOrPath, c)).FirstOrDefault(File.Exists)
                   ?? Directory.GetFiles(nameOrPath, "tok*.bin").Order(StringComparer.Ordinal).FirstOrDefault()
                   ?? throw new InvalidDataException($"{nameOrPath}: no tokenizer file found");
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer '{nameOrPath}': no such file or folder");
        string name = Path.GetFileName(path);
        // A folder loads tokenizer.json, tokenizer.model or tok*.bin: keep names it finds, else call a model file tokenizer.model.
        if (name is not "tokenizer.json" and not "tokenizer.model" && !(name.StartsWith("tok", StringComparison.Ordinal) && name.EndsWith(".bin", StringComparison.Ordinal)))
            name = name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "tokenizer.json" : "tokenizer.model";
        return (name, File.ReadAllBytes(path));
    }
}
