using System.Text.Json;
using SmallLlm.Eval.Engine.Gguf;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval model info</c> on a GGUF file: read from its header by ourselves, no weights loaded.</summary>
public static class GgufInfo
{
    public static int Write(string path, bool json, TextWriter output)
    {
        var s = GgufSummary.Of(GgufFile.Read(path));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                model = path, format = "gguf", architecture = s.Architecture, name = s.Name, file_type = s.FileType,
                parameters = s.Parameters, context_length = s.ContextLength, file_size = s.FileSize, tensor_bytes = s.TensorBytes,
                bits_per_weight = s.BitsPerWeight, tensor_count = s.TensorCount, tensors_per_type = s.TensorsPerType,
                tokenizer = s.TokenizerModel, vocab_size = s.VocabSize,
            }, CliJson.Options));
            return 0;
        }
        var rows = new List<(string, string)>
        {
            ("model", path + (s.Name is { } n ? $" ({n})" : "")),
            ("format", "GGUF, run by llama.cpp"),
            ("architecture", s.Architecture),
            ("file type", s.FileType),
            ("parameters", $"{s.Parameters:N0}"),
            ("context", s.ContextLength is long c ? $"{c:N0} tokens" : "not stated"),
            ("file size", $"{Units.Bytes(s.FileSize)} ({s.FileSize:N0} bytes)"),
            ("bits/weight", $"{s.BitsPerWeight:F2} (tensor data {Units.Bytes(s.TensorBytes)})"),
            ("tensors", $"{s.TensorCount}: " + string.Join(", ", s.TensorsPerType.Select(kv => $"{kv.Value} {kv.Key}"))),
            ("tokenizer", $"{s.TokenizerModel ?? "none"}" + (s.VocabSize is int vocab ? $", {vocab:N0} tokens" : "")),
        };
        foreach (var (k, v) in rows) output.WriteLine($"{k,-13}{v}");
        return 0;
    }
}
