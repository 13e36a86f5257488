using System.Diagnostics;
using System.Text.Json;
using SmallLlm.Eval.Cli;

namespace SmallLlm.Eval.TestSupport;

/// <summary>Runs smalleval in-process (fast) or as a real process (to test the binary, its native libraries, signals
/// and kills).</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun InProcess(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(SmallEvalCommand.Create(), args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs smalleval as a real process to its end.</summary>
    public static CliRun AsProcess(params string[] args)
    {
        using var p = StartProcess(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliRun(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Starts smalleval as a real process (stdout and stderr redirected: the caller reads or drains them) and returns
    /// at once. SIGINT has its default action in it, as under a terminal: a test host may run with SIGINT ignored,
    /// which children would inherit.
    /// </summary>
    public static Process StartProcess(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "smalleval.dll") }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
