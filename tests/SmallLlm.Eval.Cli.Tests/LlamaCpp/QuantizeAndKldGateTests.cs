using SmallLlm.Eval.Engine.Gguf;

namespace SmallLlm.Eval.Cli.Tests.LlamaCpp;

/// <summary>`smalleval quantize` (q4_k_m: stories260K's MLP width 172 is no whole number of q4_0 blocks, k-quants fall
/// back per tensor) and the `kld` gate (exit 1 past a threshold) through the CLI.</summary>
public sealed class QuantizeAndKldGateTests
{
    [Fact]
    public void Quantize_writes_the_type_and_kld_gates_on_mean_kld()
    {
        string f32 = GgufFixture.Stories260K();
        string q4 = GgufFixture.Temp("cli-q4_k_m.gguf");
        var quantize = CliRun.InProcess("quantize", "--from", f32, "--to", q4, "--type", "q4_k_m");
        Assert.True(quantize.ExitCode == 0, quantize.ToString());
        Assert.Equal("q4_k_m", GgufSummary.Of(GgufFile.Read(q4)).FileType);

        string[] args = ["kld", "--base", f32, "--model", q4, "--limit", "2", "--json", "-o", GgufFixture.Temp("cli-kld-results")];
        var run = CliRun.InProcess(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        double k4 = run.Json().GetProperty("mean_kld").GetDouble();
        Assert.True(k4 > 0, $"q4_k_m mean KLD {k4}");
        // The gate: passes a threshold above the KLD, fails one below it with the reason.
        Assert.Equal(0, CliRun.InProcess([.. args, "--max-mean-kld", (k4 * 2).ToString("R"), "--min-top1-agreement", "0"]).ExitCode);
        var fail = CliRun.InProcess([.. args, "--max-mean-kld", (k4 / 2).ToString("R")]);
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("check failed: mean_kld", fail.Stderr);
        Assert.Contains("beyond the limit", fail.Stderr);
    }
}
