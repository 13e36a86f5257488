using System.Diagnostics;
using System.Text.Json;

namespace SmallLlm.Eval.TestSupport;

using SmallLlm.Eval.Cli;

/// <summary>Runs smalleval in-process (fast) or as a real process (to test the binary and its native libraries).</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun InProcess(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(SmallEvalCommand.Create(), args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public static CliRun AsProcess(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smalleval.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliRun(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts smalleval as a real process (stdout and stderr redirected) and returns at once.</summary>
    public static Process StartProcess(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smalleval.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
