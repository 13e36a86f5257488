using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.BundledModels;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Conversion;

/// <summary>`smalleval convert --to FILE.gguf`: any checkpoint the built-in engine loads, with its tokenizer, as a GGUF.</summary>
public static class GgufConversion
{
    public static GgufSummary Convert(string from, string to, GgmlType type, string? tokenizer = null)
    {
        var tok = LocalModelLoader.ResolveTokenizer(from, tokenizer);
        string? tokFile = tokenizer is not null && File.Exists(tokenizer) ? tokenizer : TokenizerFileBeside(from);
        var vocabulary = GgufVocabularies.From(tok, tokFile);
        using var weights = CheckpointLoader.Load(from, ModelDType.Float32);
        string name = BundledModel.Resolve(from)?.Name ?? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(Path.GetFullPath(from)));
        GgufCheckpointWriter.Write(weights, vocabulary, to, type, name);
        return GgufSummary.Of(GgufFile.Read(to));
    }

    private static string? TokenizerFileBeside(string model)
    {
        string? folder = Directory.Exists(model) ? model : File.Exists(model) ? Path.GetDirectoryName(Path.GetFullPath(model)) : null;
        if (folder is null) return null;
        return new[] { "tokenizer.json", "tokenizer.model" }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists);
    }
}
