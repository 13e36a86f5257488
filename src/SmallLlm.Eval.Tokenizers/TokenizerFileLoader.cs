using SmallLlm.Eval.Tokenizers.HuggingFace;
using SmallLlm.Eval.Tokenizers.SentencePiece;
using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Tokenizers;

/// <summary>Loads a tokenizer from a file, telling the format by name and content.</summary>
public static class TokenizerFileLoader
{
    /// <summary>Where a model folder keeps its tokenizer, in order of preference.</summary>
    public static readonly string[] FolderCandidates = ["tokenizer.json", "tokenizer.model", "original/tokenizer.model"];

    public static ITextTokenizer FromFolder(string folder)
    {
        foreach (string candidate in FolderCandidates)
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return FromFile(path);
        }
        var bins = Directory.GetFiles(folder, "tok*.bin").Order(StringComparer.Ordinal).ToArray();
        if (bins.Length > 0) return FromFile(bins[0]);
        throw new InvalidDataException(
            $"{folder}: no tokenizer found (looked for {string.Join(", ", FolderCandidates)} and tok*.bin)");
    }

    public static ITextTokenizer FromFile(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        string name = Path.GetFileName(path);
        if (data.Length == 0) throw new InvalidDataException($"{path}: file is empty");
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return HuggingFaceTokenizerJson.Load(data, path);
        if (name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
            return Llama2CTokenizer.Read(data, Path.GetFileNameWithoutExtension(path), path);
        if (TiktokenFile.LooksLikeTiktoken(data))
        {
            var tokens = TiktokenFile.Read(data, path);
            if (tokens.Length == 128_000) return BuiltInTokenizers.Llama3Style(path, tokens);
            return new TiktokenTextTokenizer(path, tokens, TiktokenPatterns.Cl100k,
                new Dictionary<string, int>(), bosId: null, eosId: null);
        }
        if (data[0] == (byte)'{') return HuggingFaceTokenizerJson.Load(data, path);
        var model = SentencePieceModelReader.Read(data, path);
        return new SentencePieceBpeTokenizer(path, model, path);
    }
}
