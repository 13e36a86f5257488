using System.Diagnostics;
using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>Ctrl-C on a real `smalleval train` process: it finishes the step, saves a checkpoint, says how to resume, exits 130.</summary>
public class TrainInterruptTests
{
    [Fact]
    public void Ctrl_c_saves_a_checkpoint_at_the_last_logged_step_and_exits_130()
    {
        string fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "training");
        string output = RepoPaths.Temp("train-ctrlc");
        // Far more steps than the test waits for: the run is always interrupted mid-way.
        using var p = CliRun.StartProcess(["train", "--init", Path.Combine(fixtures, "init"), "--data", Path.Combine(fixtures, "data.txt"),
            "--steps", "1000000", "--batch", "1", "--seq", "16", "-o", output]);
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        _ = p.StandardOutput.ReadToEndAsync();
        string log = Path.Combine(output, "train_log.jsonl");
        int Logged() { try { return File.Exists(log) ? File.ReadAllLines(log).Count(l => l.EndsWith('}')) : 0; } catch (IOException) { return 0; } }
        var clock = Stopwatch.StartNew();
        while (Logged() < 2 && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.False(p.HasExited, "the run ended before it could be interrupted: " + stderr);
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", p.Id.ToString()]))!) kill.WaitForExit();
        Assert.True(p.WaitForExit(120_000), "the run did not stop after Ctrl-C");
        p.WaitForExit();
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}\n{stderr}");

        int steps = File.ReadAllLines(log).Length;
        string checkpoint = Path.Combine(output, $"step-{steps}");
        Assert.True(File.Exists(Path.Combine(checkpoint, "model.safetensors")), $"no {checkpoint}\n{stderr}");
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoint, "trainer_state.json")));
        Assert.Equal(steps, state.RootElement.GetProperty("global_step").GetInt32());
        Assert.Contains($"continue with: smalleval train --resume {output}", stderr.ToString());
        Assert.Empty(Directory.GetDirectories(output, "*.partial"));
    }
}

/// <summary>`smalleval bench train` runs and its MFU is 6·N·tokens/s over the peak it reports (speeds are not asserted).</summary>
public class BenchTrainCommandTests
{
    [Fact]
    public void Bench_train_reports_tokens_per_second_and_an_mfu_of_six_n_per_token_over_the_peak()
    {
        var run = CliRun.InProcess("bench", "train", "--shapes", "stories260K", "--vocab", "512", "--batch", "2", "--seq", "32", "--steps", "2", "--no-pytorch", "--peak-gflops", "150", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        double peak = json.GetProperty("matmul_peak_gflops").GetDouble();
        var result = json.GetProperty("results")[0];
        var ours = result.GetProperty("ours");
        Assert.Equal(260_032, ours.GetProperty("parameters").GetInt64());
        double tps = ours.GetProperty("tokens_per_second").GetDouble();
        Assert.True(tps > 0);
        Assert.Equal(150, peak);
        Assert.Equal(6.0 * 260_032 * tps / (peak * 1e9), result.GetProperty("mfu").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("pytorch_tokens_per_second").ValueKind);
    }
}
