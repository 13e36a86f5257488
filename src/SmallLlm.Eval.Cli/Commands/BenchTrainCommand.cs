using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Engine.Training;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>
/// <c>smalleval bench train</c>: training tokens/s and MFU of the training shapes, and beside them PyTorch training the
/// same model and batch on the same threads when a python3 with torch is found.
/// </summary>
public static class BenchTrainCommand
{
    public static Command Create()
    {
        var shapes = new Option<string>("--shapes") { Description = $"Comma-separated shapes: {string.Join(", ", TrainingShapes.Names)}.", DefaultValueFactory = _ => "stories260K,stories15M" };
        var vocab = new Option<int>("--vocab") { Description = "vocab_size of the benchmarked models (512: tok512; 32000: the Llama 2 tokenizer).", DefaultValueFactory = _ => 32000 };
        var batch = new Option<int>("--batch") { Description = "Rows per step.", DefaultValueFactory = _ => 8 };
        var seq = new Option<int>("--seq") { Description = "Tokens per row.", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after one warm-up step).", DefaultValueFactory = _ => 5 };
        var noTorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch comparison." };
        var peakOption = new Option<double?>("--peak-gflops") { Description = "Use this fp32 matmul peak (GFLOP/s) for MFU instead of measuring one." };
        var json = ModelOptions.Json();
        var command = new Command("train", "Benchmark training: tokens/s of full steps (forward, backward, clipping, AdamW) and MFU = 6 x parameters x tokens/s over the measured fp32 matmul peak, beside PyTorch on the same threads when python3 has torch.")
        {
            shapes, vocab, batch, seq, steps, noTorch, peakOption, json,
        };
        command.SetAction(parse =>
        {
            EngineThreads.Apply();
            var output = parse.InvocationConfiguration.Output;
            int b = parse.GetValue(batch), l = parse.GetValue(seq), n = parse.GetValue(steps);
            if (b < 1 || l < 1 || n < 1) throw new ArgumentException("--batch, --seq and --steps must be >= 1");
            var configs = parse.GetValue(shapes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => (Name: s, Config: TrainingShapes.Get(s, parse.GetValue(vocab), 1, 2))).ToList();
            foreach (var (name, c) in configs)
                if (l > c.MaxPositionEmbeddings) throw new ArgumentException($"--seq {l} exceeds {name}'s context of {c.MaxPositionEmbeddings}");
            double peak = parse.GetValue(peakOption) ?? EngineBenchmark.MeasureMatmulPeakGflops(ModelDType.Float32);
            string? python = parse.GetValue(noTorch) ? null : TorchPython();
            var rows = new List<object>();
            if (!parse.GetValue(json))
            {
                output.WriteLine($"cpu {CpuFeatures.Current}; threads {TorchSharp.torch.get_num_threads()}; measured fp32 matmul peak {peak:F0} GFLOP/s");
                output.WriteLine(python is null ? "PyTorch: not compared (no python3 with torch found, or --no-pytorch)" : $"PyTorch: {python}");
                output.WriteLine();
                output.WriteLine("| shape | params | batch x seq | ours tok/s median (min-max) | ours MFU | PyTorch tok/s median (min-max) | PyTorch MFU | ours / PyTorch |");
                output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            }
            foreach (var (name, c) in configs)
            {
                var ours = TrainingBenchmark.Run(name, c, b, l, n, peak);
                JsonElement? torch = python is null ? null : RunTorch(python, c, b, l, n, ours.Threads);
                double? torchRate = torch?.GetProperty("tokens_per_second").GetDouble();
                string? torchVersion = torch?.GetProperty("torch").GetString();
                rows.Add(new { ours, mfu = ours.Mfu, pytorch_tokens_per_second = torchRate, pytorch_version = torchVersion });
                if (!parse.GetValue(json))
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {Units.Count(ours.Parameters)} | {b} x {l} | {ours.TokensPerSecond:F0} ({ours.TokensPerSecondMin:F0}-{ours.TokensPerSecondMax:F0}) | {ours.Mfu:P1} | ") +
                        (torch is { } t ? string.Create(CultureInfo.InvariantCulture,
                            $"{torchRate:F0} ({t.GetProperty("min").GetDouble():F0}-{t.GetProperty("max").GetDouble():F0}) | {6.0 * ours.Parameters * torchRate!.Value / (peak * 1e9):P1} | {ours.TokensPerSecond / torchRate.Value:F2}x |")
                            : "- | - | - |"));
            }
            if (parse.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(new { matmul_peak_gflops = peak, results = rows }, CliJson.Options));
            else
                output.WriteLine("Speeds are only meaningful on a quiet machine (nothing else using the cores).");
            return 0;
        });
        return command;
    }

    /// <summary>The first python3 that imports torch (PATH first, then Debian's), or null.</summary>
    private static string? TorchPython()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                var psi = new ProcessStartInfo(candidate, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true };
                using var p = Process.Start(psi)!;
                p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed: try the next
            }
        }
        return null;
    }

    private static JsonElement RunTorch(string python, LlamaConfig c, int batch, int seq, int steps, int threads)
    {
        string script = Path.Combine(Path.GetTempPath(), $"smalleval-torch-train-{Environment.ProcessId}.py");
        using (var resource = typeof(BenchTrainCommand).Assembly.GetManifestResourceStream("SmallLlm.Eval.Cli.Baselines.torch_train_baseline.py")!)
        using (var file = File.Create(script)) resource.CopyTo(file);
        try
        {
            string args = JsonSerializer.Serialize(new
            {
                dim = c.HiddenSize, hidden = c.IntermediateSize, layers = c.NumLayers, heads = c.NumHeads, kv_heads = c.NumKeyValueHeads,
                vocab = c.VocabSize, batch, seq, steps, threads,
            });
            var psi = new ProcessStartInfo(python, [script, args]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"the PyTorch baseline failed (exit {p.ExitCode}): {stderr.Result}");
            return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.Clone();
        }
        finally
        {
            File.Delete(script);
        }
    }
}
