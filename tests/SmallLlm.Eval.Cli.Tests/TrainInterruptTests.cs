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
        Assert.Equal(steps, state.RootElement.GetProperty("step").GetInt32());
        Assert.Contains($"continue with: smalleval train --resume {output}", stderr.ToString());
        Assert.Empty(Directory.GetDirectories(output, "*.partial"));
    }
}
