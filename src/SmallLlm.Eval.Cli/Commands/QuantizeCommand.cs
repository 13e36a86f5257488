using System.CommandLine;
using SmallLlm.Eval.LlamaCpp;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval quantize</c>: a quantized copy of a GGUF file, by llama.cpp's quantizer.</summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Source GGUF (f32, f16 or bf16; `smalleval convert --to FILE.gguf` writes one).", Required = true };
        var to = new Option<string>("--to") { Description = "Destination GGUF.", Required = true };
        var type = new Option<string>("--type") { Description = $"Quantization: {string.Join(", ", GgufQuantizer.Types.Keys)}.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a file already at --to (written beside it first, then renamed over it)." };
        var command = new Command("quantize", "Quantize a GGUF file with llama.cpp's quantizer (tensors whose rows do not fit a type's blocks keep a compatible type, as llama.cpp decides).")
        {
            from, to, type, force,
        };
        command.SetAction(parse =>
        {
            if (File.Exists(parse.GetValue(to)) && !parse.GetValue(force))
                throw new ArgumentException($"--to {parse.GetValue(to)} already exists: pass --force to replace it");
            var s = GgufQuantizer.Quantize(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(type)!);
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote {parse.GetValue(to)}: {s.FileType}, {s.BitsPerWeight:F2} bits/weight, {Units.Bytes(s.FileSize)}; tensors: {string.Join(", ", s.TensorsPerType.Select(kv => $"{kv.Value} {kv.Key}"))}");
            return 0;
        });
        return command;
    }
}
