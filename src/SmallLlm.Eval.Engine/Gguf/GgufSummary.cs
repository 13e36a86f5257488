namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>What `smalleval model info` says about a GGUF file, from its header alone.</summary>
public sealed record GgufSummary(string Path, string Architecture, string? Name, long Parameters, long? ContextLength,
    long FileSize, long TensorBytes, double BitsPerWeight, string FileType, IReadOnlyDictionary<string, int> TensorsPerType,
    int TensorCount, string? TokenizerModel, int? VocabSize)
{
    public static GgufSummary Of(GgufFile file)
    {
        string arch = file.Architecture;
        long parameters = file.Tensors.Sum(t => t.Elements);
        long bytes = file.Tensors.Sum(t => t.Bytes);
        var perType = file.Tensors.GroupBy(t => t.Type.Name).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        int? vocab = file.Metadata.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens is object[] list ? list.Length : null;
        return new GgufSummary(file.Path, arch, file.GetString("general.name"), parameters, file.GetInteger($"{arch}.context_length"),
            file.FileSize, bytes, parameters == 0 ? 0 : bytes * 8.0 / parameters, FileTypeName(file), perType, file.Tensors.Count,
            file.GetString("tokenizer.ggml.model"), vocab);
    }

    /// <summary>llama.cpp's file type (general.file_type) as its quantize tool names it, e.g. f32, q8_0, q4_k_m.</summary>
    public static string FileTypeName(GgufFile file)
    {
        if (file.GetInteger("general.file_type") is long ft)
            return ft switch
            {
                0 => "f32", 1 => "f16", 2 => "q4_0", 3 => "q4_1", 7 => "q8_0", 8 => "q5_0", 9 => "q5_1", 10 => "q2_k",
                11 => "q3_k_s", 12 => "q3_k_m", 13 => "q3_k_l", 14 => "q4_k_s", 15 => "q4_k_m", 16 => "q5_k_s", 17 => "q5_k_m",
                18 => "q6_k", 32 => "bf16", _ => $"file_type_{ft}",
            };
        // No file type recorded: name it after the type most matrix weights have.
        var matrices = file.Tensors.Where(t => t.Shape.Length >= 2).ToList();
        var common = (matrices.Count > 0 ? matrices : file.Tensors.ToList()).GroupBy(t => t.Type.Name).OrderByDescending(g => g.Count()).FirstOrDefault();
        return common?.Key.ToLowerInvariant() ?? "unknown";
    }
}
