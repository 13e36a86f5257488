using System.CommandLine;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli;

/// <summary>Options shared by the commands that load a model.</summary>
public static class ModelOptions
{
    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Model: a bundled name (stories260K), a Hugging Face folder (config.json + model.safetensors), or a llama2.c .bin file.",
        Required = true,
    };

    public static Option<string> DType() => new("--dtype")
    {
        Description = "Compute precision: fp32, bf16, or auto (bf16 only where the CPU has native bf16, avx512_bf16 or amx_bf16, and the model has at least 50M parameters; else fp32).",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<string?> Tokenizer() => new("--tokenizer", "-t")
    {
        Description = "Tokenizer name or file; defaults to the model's own (bundled models and Hugging Face folders bring one).",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON instead of a table." };

    public static ModelDType ParseDType(string text) => ModelDTypeNames.Parse(text);

    /// <summary>fp32, bf16, or auto resolved for this model (its size, from headers only) on this CPU.</summary>
    public static DTypeChoice ResolveDType(string text, string model)
    {
        if (!text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return DTypeChoice.Resolve(text, 0, CpuFeatures.Current);
        var spec = ModelSpec.Parse(model);
        if (spec is ModelSpec.Remote) return new DTypeChoice(ModelDType.Float32, "auto", "remote: precision is the server's");
        // A GGUF file's precision is its tensor types; the llama.cpp backend takes no --dtype.
        if (spec is ModelSpec.Gguf) return new DTypeChoice(ModelDType.Float32, "auto", "GGUF: precision is the file's tensor types");
        var config = spec is ModelSpec.Random r ? r.Config : CheckpointLoader.ReadConfig(model);
        return DTypeChoice.Resolve(text, ModelStatistics.Of(config, ModelDType.Float32).TotalParameters, CpuFeatures.Current, MeasuredBf16Speedup);
    }

    /// <summary>bf16 over fp32 matmul GFLOP/s on this machine (a few milliseconds; only asked when the flags promise bf16).</summary>
    private static double MeasuredBf16Speedup() =>
        EngineBenchmark.MeasureMatmulPeakGflops(ModelDType.BFloat16, repeats: 3) / EngineBenchmark.MeasureMatmulPeakGflops(ModelDType.Float32, repeats: 3);

    /// <summary>Parses "1,2,3" (spaces allowed) into token ids.</summary>
    public static int[] ParseTokens(string text, string option = "--tokens")
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException($"{option} is empty: expected comma-separated token ids, e.g. 1,403,407");
        return parts.Select(p => int.TryParse(p, out int id)
            ? id
            : throw new ArgumentException($"{option}: '{p}' is not a token id: expected comma-separated integers, e.g. 1,403,407")).ToArray();
    }
}
