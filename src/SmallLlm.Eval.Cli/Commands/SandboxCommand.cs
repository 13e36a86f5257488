using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval sandbox</c>: what isolation model-written code gets on this machine, and a way to run one
/// Python file exactly as code tasks run a completion with its tests.</summary>
public static class SandboxCommand
{
    public static Command Create()
    {
        var info = new Command("info", "Say which Python runs model-written code and how it is isolated here.");
        info.SetAction(parse =>
        {
            var sandbox = PythonSandbox.Find() ?? throw new FileNotFoundException("no working python3 on this machine");
            parse.InvocationConfiguration.Output.WriteLine($"python     {sandbox.Python}\nisolation  {sandbox.Isolation}");
            return 0;
        });

        var file = new Argument<string>("file") { Description = "A Python test program." };
        var timeout = new Option<double>("--timeout-s") { Description = "Wall-clock limit.", DefaultValueFactory = _ => 3 };
        var memory = new Option<int>("--memory-mb") { Description = "Memory of the program and its children together.", DefaultValueFactory = _ => 1024 };
        var processes = new Option<int>("--processes") { Description = "Processes at once.", DefaultValueFactory = _ => 32 };
        var allowUnsandboxed = new Option<bool>("--allow-unsandboxed-execution") { Description = "Run without isolation where none works." };
        var json = ModelOptions.Json();
        var run = new Command("run", "Run one Python file in the sandbox and print its verdict (exit 0 passed, 1 failed or timed out, 2 no sandbox).")
        {
            file, timeout, memory, processes, allowUnsandboxed, json,
        };
        run.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            var limits = new SandboxLimits(parse.GetValue(timeout), parse.GetValue(memory), Processes: parse.GetValue(processes));
            if (limits.TimeoutSeconds <= 0 || limits.MemoryMegabytes < 16 || limits.Processes < 1)
                throw new ArgumentException("--timeout-s must be above 0, --memory-mb at least 16, --processes at least 1");
            var sandbox = PythonSandbox.Find() ?? throw new FileNotFoundException("no working python3 on this machine");
            if (!sandbox.Isolated && !parse.GetValue(allowUnsandboxed))
                throw new SandboxUnavailableException("cannot isolate code on this machine (user namespaces via unshare do not work); --allow-unsandboxed-execution runs it anyway");
            var outcome = sandbox.Run(File.ReadAllText(path), limits, Path.GetFileNameWithoutExtension(path));
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) writer.WriteLine(JsonSerializer.Serialize(new { status = outcome.Status, exit_code = outcome.ExitCode, seconds = outcome.Seconds, output = outcome.Output, isolated = sandbox.Isolated }));
            else writer.WriteLine($"{outcome.Status} (exit {outcome.ExitCode?.ToString() ?? "-"}, {outcome.Seconds:F2} s)\n{outcome.Output}");
            // Say why on stderr too: a caller that reads only stderr (a script, a test) sees the verdict's reason.
            if (!outcome.Passed)
                parse.InvocationConfiguration.Error.WriteLine($"smalleval sandbox run: {path}: {outcome.Status} (exit {outcome.ExitCode?.ToString() ?? "-"}, {outcome.Seconds:F2} s): {LastLine(outcome.Output)}");
            return outcome.Passed ? 0 : 1;
        });
        return new Command("sandbox", "The sandbox that runs model-written code (code tasks with --allow-code-execution).") { info, run };
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
