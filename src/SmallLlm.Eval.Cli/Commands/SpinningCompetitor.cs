using System.CommandLine;
using System.Diagnostics;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>
/// The competitor of <c>bench --contention</c>: a second process whose threads never sleep, as the busy-waiting worker
/// threads of another engine (llama.cpp with 2 threads) keep cores busy. It ends by itself after a time limit, so it
/// cannot outlive a benchmark that died.
/// </summary>
public static class SpinningCompetitor
{
    public static Command Command()
    {
        var threads = new Option<int>("--spin-threads") { Description = "Spinning threads.", DefaultValueFactory = _ => 2 };
        var seconds = new Option<int>("--seconds") { Description = "Exit after this long.", DefaultValueFactory = _ => 600 };
        var command = new Command("spin", "Keep threads spinning (the competitor of bench --contention).") { threads, seconds };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var until = DateTime.UtcNow.AddSeconds(parse.GetValue(seconds));
            var workers = Enumerable.Range(0, parse.GetValue(threads)).Select(_ => new Thread(() =>
            {
                ulong x = 0;
                while (DateTime.UtcNow < until)
                    for (int i = 0; i < 1_000_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
                GC.KeepAlive(x);
            }) { IsBackground = true }).ToList();
            Console.Out.WriteLine("spinning");
            Console.Out.Flush();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            return 0;
        });
        return command;
    }

    /// <summary>Starts the competitor and returns once its threads spin; disposing kills it (by its process id).</summary>
    public static IDisposable Start(int threads)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(SpinningCompetitor).Assembly.Location);
        foreach (var a in new[] { "bench", "spin", "--spin-threads", threads.ToString(), "--seconds", "1800" }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.StandardOutput.ReadLine(); // "spinning"
        return new Running(process);
    }

    private sealed class Running(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
            process.Dispose();
        }
    }
}
