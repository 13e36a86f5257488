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
        var command = new Command("quantize", "Quantize a GGUF file with llama.cpp's quantizer (tensors whose rows do not fit a type's blocks keep a compatible type, as llama.cpp decides).")
        {
            from, to, type,
        };
        command.SetAction(parse =>
        {
            var s = GgufQuantizer.Quantize(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(type)!);
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote {parse.GetValue(to)}: {s.FileType}, {s.BitsPerWeight:F2} bits/weight, {Units.Bytes(s.FileSize)}; tensors: {string.Join(", ", s.TensorsPerType.Select(kv => $"{kv.Value} {kv.Key}"))}");
            return 0;
        });
        return command;
    }
}
