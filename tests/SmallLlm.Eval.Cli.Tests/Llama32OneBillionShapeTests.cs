using System.Diagnostics;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// A Llama-3.2-1B-shaped random bf16 folder (2.5 GB written, 1.24B parameters) loads streaming and scores MMLU in bf16
/// with peak memory at most 1.5x its weights over the runtime's own baseline. Too heavy for CI: runs only with
/// SMALLEVAL_HEAVY_TESTS=1 (and ../shared for Llama 3's tokenizer.json); peak resident memory is read from
/// /usr/bin/time for the child processes.
/// </summary>
public class Llama32OneBillionShapeTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [SkippableFact]
    public void Llama32_one_billion_shaped_bf16_folder_scores_mmlu_within_one_and_a_half_times_its_weights()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SMALLEVAL_HEAVY_TESTS") == "1", "set SMALLEVAL_HEAVY_TESTS=1 to run (writes 2.5 GB, needs ~4 GB of memory)");
        Skip.IfNot(File.Exists("/usr/bin/time"), "/usr/bin/time is needed to read the child's peak memory");
        string tokenizer = SharedFiles.Get("tokenizers/llama3/tokenizer.json");
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-llama32-1b-" + Guid.NewGuid().ToString("N"));
        long weightBytes;
        try
        {
            using (var w = RandomWeights.Create(RandomWeights.Llama32_1B(), ModelDType.BFloat16, 3))
            {
                weightBytes = w.ParameterCount * 2;
                HuggingFaceCheckpoint.Save(w, dir);
            }
            File.Copy(tokenizer, Path.Combine(dir, "tokenizer.json"));
            string output = Path.Combine(dir, "results");
            var (baseline, _) = PeakKb("eval", "--model", "stories260K", "--tasks", "mmlu", "--limit", "1", "--subjects", "abstract_algebra",
                "--num-fewshot", "0", "--output", Path.Combine(dir, "baseline"));
            var (peak, run) = PeakKb("eval", "--model", dir, "--dtype", "bf16", "--tasks", "mmlu", "--limit", "2", "--subjects", "abstract_algebra",
                "--num-fewshot", "1", "--output", output);
            Assert.True(run.ExitCode == 0, run.ToString());
            double ratio = (peak - baseline) * 1024.0 / weightBytes;
            log.WriteLine($"peak {peak / 1024} MiB, runtime baseline {baseline / 1024} MiB, weights {weightBytes >> 20} MiB: {ratio:F2}x");
            log.WriteLine(run.Stdout);
            Assert.True(ratio <= 1.5, $"peak {peak / 1024} MiB, runtime baseline {baseline / 1024} MiB, weights {weightBytes >> 20} MiB: {ratio:F2}x");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Peak resident set (KiB, from /usr/bin/time) of smalleval run as a child process.</summary>
    private static (long PeakKb, CliRun Run) PeakKb(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "peak_kb=%M", "dotnet", Path.Combine(AppContext.BaseDirectory, "smalleval.dll") }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var line = stderr.Result.Split('\n').Last(l => l.StartsWith("peak_kb="));
        return (long.Parse(line["peak_kb=".Length..]), new CliRun(p.ExitCode, stdout.Result, stderr.Result));
    }
}
