using System.Text.Json;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.LlamaCpp;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>The llama.cpp rows of `smalleval bench --backend torch,llamacpp` (same shapes, batch, length, decode).</summary>
public static class LlamaCppBenchTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> shapes, string types, int batch, int length, int decode, int iterations, double peakGflops, bool json)
    {
        string work = Path.Combine(Path.GetTempPath(), "smalleval-bench-gguf");
        var results = new List<EngineBenchmarkResult>();
        if (!json)
        {
            output.WriteLine();
            output.WriteLine($"llama.cpp ({LlamaCppRuntimeInfo.Threads} threads, exact settings: F32 KV cache, flash attention off; GGUF files in {work})");
            output.WriteLine("| shape | type | params | batch x len | scoring tok/s | MFU (measured fp32 peak) | decode tok/s | weights | peak mem | peak/weights |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        }
        foreach (var shape in shapes)
            foreach (var type in types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var r = LlamaCppBenchmark.Run(shape, EngineBenchmark.Shapes[shape], type, batch, length, decode, iterations, peakGflops, work);
                results.Add(r);
                if (!json)
                    output.WriteLine($"| {r.Shape} | {r.DType} | {Units.Count(r.Parameters)} | {r.Batch} x {r.Length} | {r.ScoringTokensPerSecond:F0} | {r.Mfu:P0} | {r.DecodeTokensPerSecond:F0} | {Units.Bytes(r.WeightBytes)} | {Units.Bytes(r.PeakBytes)} | {r.PeakOverWeights:F2}x |");
            }
        if (json) output.WriteLine(JsonSerializer.Serialize(new { llamacpp = results }, CliJson.Options));
    }
}

internal static class LlamaCppRuntimeInfo
{
    public static int Threads => new LlamaCppOptions().Threads;
}
