using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.Hardware;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval bench</c>: engine throughput and MFU on random-weight models of standard shapes.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated shapes: stories15M, stories110M, llama3.2-1B (1.24B parameters: ~2.5 GB in bf16).", DefaultValueFactory = _ => "stories15M,stories110M" };
        var dtypes = new Option<string>("--dtypes") { Description = "Comma-separated dtypes: fp32, bf16.", DefaultValueFactory = _ => "fp32,bf16" };
        var batch = new Option<int>("--batch") { Description = "Sequences per forward pass.", DefaultValueFactory = _ => 8 };
        var length = new Option<int>("--length") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 256 };
        var passTokens = new Option<int>("--pass-tokens") { Description = "Most tokens per forward pass (the batch is scored in passes of this size).", DefaultValueFactory = _ => 512 };
        var decode = new Option<int>("--decode-tokens") { Description = "Tokens generated for the decode measurement.", DefaultValueFactory = _ => 128 };
        var iterations = new Option<int>("--iterations") { Description = "Timed scoring passes (after one warm-up).", DefaultValueFactory = _ => 3 };
        var json = ModelOptions.Json();
        var peakOption = new Option<double?>("--peak-gflops") { Description = "Use this matmul peak (GFLOP/s) for MFU instead of measuring one." };
        var inProcess = new Option<bool>("--in-process") { Description = "Run every configuration in this process (default: each in a fresh child process, so one run's memory state cannot skew the next one's peak)." };
        var contention = new Option<bool>("--contention") { Description = "Run each configuration twice, alone and beside a competing process that keeps 2 threads spinning (as another engine's busy-waiting threads do), and report the ratio." };
        var backends = new Option<string>("--backend") { Description = "Comma-separated engines: torch, llamacpp (llama.cpp runs the same random shapes as GGUF files; see --llamacpp-types).", DefaultValueFactory = _ => "torch" };
        var cppTypes = new Option<string>("--llamacpp-types") { Description = "GGUF types benchmarked on llama.cpp: f32, bf16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0.", DefaultValueFactory = _ => "f32,q8_0,q4_k_m" };
        var command = new Command("bench", "Benchmark the engine: scoring tokens/s and MFU (batch x length, every position scored) and KV-cached decode tokens/s on random-weight models of the stories15M and stories110M shapes. Peak memory is the resident-set growth over the weights.")
        {
            shapes, dtypes, batch, length, passTokens, decode, iterations, json, inProcess, peakOption, contention, backends, cppTypes,
        };
        command.Subcommands.Add(BenchTasksCommand.Create());
        command.Subcommands.Add(BenchServeCommand.Create());
        command.Subcommands.Add(SpinningCompetitor.Command());
        command.Subcommands.Add(BenchTrainCommand.Create());
        command.SetAction(parse =>
        {
            EngineThreads.Apply(); // before the matmul peak is measured: --threads holds for it too
            var output = parse.InvocationConfiguration.Output;
            var shapeNames = parse.GetValue(shapes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var s in shapeNames)
                if (!EngineBenchmark.Shapes.ContainsKey(s))
                    throw new ArgumentException($"unknown shape '{s}': expected one of {string.Join(", ", EngineBenchmark.Shapes.Keys)}");
            var dts = parse.GetValue(dtypes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ModelDTypeNames.Parse).ToList();
            bool asJson = parse.GetValue(json);
            // Measured before any model exists: a child process then runs each configuration on a clean heap.
            var peaks = dts.Distinct().ToDictionary(d => d, d => parse.GetValue(peakOption) ?? EngineBenchmark.MeasureMatmulPeakGflops(d));
            bool contended = parse.GetValue(contention);
            if (contended && parse.GetValue(inProcess)) throw new ArgumentException("--contention runs each configuration in child processes: drop --in-process");
            if (!asJson)
            {
                output.WriteLine($"cpu {CpuFeatures.Current}");
                output.WriteLine($"threads {TorchSharp.torch.get_num_threads()} (OMP_WAIT_POLICY {EngineThreads.WaitPolicy}); measured matmul peak: " +
                                 string.Join(", ", peaks.Select(p => $"{p.Key.Name()} {p.Value:F0} GFLOP/s")) +
                                 $" (stated: fp32 {EngineBenchmark.StatedPeakGflops(ModelDType.Float32):F0}, bf16 {EngineBenchmark.StatedPeakGflops(ModelDType.BFloat16):F0})");
                output.WriteLine();
                output.WriteLine(contended
                    ? "| shape | dtype | scoring tok/s alone (min-max) | beside 2 spinning threads (min-max) | ratio |"
                    : $"| shape | dtype | params | batch x len (tokens/pass) | scoring tok/s median (min-max, {parse.GetValue(iterations)} runs) | MFU (measured peak) | MFU (stated peak) | decode tok/s batch 1 | decode tok/s batch 16 | weights | peak mem | peak/weights |");
                output.WriteLine(contended ? "|---|---|---:|---:|---:|" : "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            }
            var engines = parse.GetValue(backends)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (engines.Except(["torch", "llamacpp"]).FirstOrDefault() is { } unknown) throw new ArgumentException($"--backend '{unknown}': expected torch, llamacpp");
            var results = new List<EngineBenchmarkResult>();
            if (engines.Contains("torch"))
            foreach (var s in shapeNames)
                foreach (var d in dts)
                {
                    if (contended)
                    {
                        var alone = RunInChildProcess(s, d, parse.GetValue(batch), parse.GetValue(length), parse.GetValue(passTokens), parse.GetValue(decode), parse.GetValue(iterations), peaks[d]);
                        EngineBenchmarkResult beside;
                        using (SpinningCompetitor.Start(threads: 2))
                            beside = RunInChildProcess(s, d, parse.GetValue(batch), parse.GetValue(length), parse.GetValue(passTokens), parse.GetValue(decode), parse.GetValue(iterations), peaks[d]);
                        results.Add(alone);
                        results.Add(beside);
                        if (!asJson)
                            output.WriteLine($"| {s} | {d.Name()} | {alone.ScoringTokensPerSecond:F0} ({alone.ScoringTokensPerSecondMin:F0}-{alone.ScoringTokensPerSecondMax:F0}) | " +
                                             $"{beside.ScoringTokensPerSecond:F0} ({beside.ScoringTokensPerSecondMin:F0}-{beside.ScoringTokensPerSecondMax:F0}) | {beside.ScoringTokensPerSecond / alone.ScoringTokensPerSecond:F2} |");
                        continue;
                    }
                    var r = parse.GetValue(inProcess)
                        ? EngineBenchmark.Run(s, EngineBenchmark.Shapes[s], d, parse.GetValue(batch), parse.GetValue(length),
                            parse.GetValue(passTokens), parse.GetValue(decode), parse.GetValue(iterations), peaks[d])
                        : RunInChildProcess(s, d, parse.GetValue(batch), parse.GetValue(length), parse.GetValue(passTokens), parse.GetValue(decode), parse.GetValue(iterations), peaks[d]);
                    results.Add(r);
                    if (!asJson)
                        output.WriteLine($"| {r.Shape} | {r.DType} | {Units.Count(r.Parameters)} | {r.Batch} x {r.Length} ({r.PassTokens}) | {r.ScoringTokensPerSecond:F0} ({r.ScoringTokensPerSecondMin:F0}-{r.ScoringTokensPerSecondMax:F0}) | {r.Mfu:P0} | {r.MfuOfStatedPeak:P0} | {r.DecodeTokensPerSecond:F0} | {r.DecodeBatchTokensPerSecond:F0} | {Units.Bytes(r.WeightBytes)} | {Units.Bytes(r.PeakBytes)} | {r.PeakOverWeights:F2}x |");
                }
            if (contended && !asJson)
                output.WriteLine("ratio: scoring tokens/s beside the competitor over alone; a fair share of 2 cores against 2 busy threads is 0.5. Meaningless when other work shares the machine.");
            if (engines.Contains("llamacpp"))
                LlamaCppBenchTable.Write(output, shapeNames, parse.GetValue(cppTypes)!, parse.GetValue(batch), parse.GetValue(length),
                    parse.GetValue(decode), parse.GetValue(iterations), peaks.GetValueOrDefault(ModelDType.Float32, peaks.Values.First()), asJson);
            if (asJson && parse.GetValue(inProcess) && shapeNames.Length * dts.Count == 1)
                output.WriteLine(JsonSerializer.Serialize(results[0], CliJson.Options)); // what a parent reads from its child
            else if (asJson)
                output.WriteLine(JsonSerializer.Serialize(new { matmul_peak_gflops = peaks.ToDictionary(p => p.Key.Name(), p => p.Value), results }, CliJson.Options));
            return 0;
        });
        return command;
    }

    /// <summary>One configuration in a fresh `smalleval bench --in-process` child, given our measured matmul peak.</summary>
    private static EngineBenchmarkResult RunInChildProcess(string shape, ModelDType dtype, int batch, int length, int passTokens, int decode, int iterations, double peakGflops)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var a in new[] { "bench", "--in-process", "--json", "--shapes", shape, "--dtypes", dtype.Name(), "--batch", batch.ToString(),
                     "--length", length.ToString(), "--pass-tokens", passTokens.ToString(), "--decode-tokens", decode.ToString(), "--iterations", iterations.ToString(),
                     "--peak-gflops", peakGflops.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(EngineThreads.Threads.ToString()); // the child has the same cores; keep the parent's choice
        using var child = System.Diagnostics.Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"benchmark child for {shape} {dtype.Name()} failed: {stderr.Result}");
        return JsonSerializer.Deserialize<EngineBenchmarkResult>(stdout, CliJson.Options)!;
    }
}
