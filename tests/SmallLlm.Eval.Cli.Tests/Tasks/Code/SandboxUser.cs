using System.Diagnostics;
using System.Text.Json;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Cli.Tests.Tasks.Code;

/// <summary>
/// Who runs the sandbox in a test: "this" (the test process itself, calling <see cref="PythonSandbox"/>; root in CI)
/// or "nobody" (the real `smalleval sandbox run` binary started under
/// <c>setpriv --reuid=65534 --regid=65534 --clear-groups</c>, as an ordinary user would run it). "nobody" needs root to
/// switch to and a build folder that uid 65534 can read; otherwise those tests skip and say why.
/// </summary>
public static class SandboxUser
{
    public const string This = "this";
    public const string Nobody = "nobody";
    public static readonly TheoryData<string> Both = new() { This, Nobody };

    public static string SmallevalDll => Path.Combine(AppContext.BaseDirectory, "smalleval.dll");

    public sealed record Verdict(string Status, string Output);

    /// <summary>Runs <paramref name="program"/> as <paramref name="user"/>; <paramref name="label"/> becomes part of the
    /// sandboxed process's command line, so a test can look for leftovers.</summary>
    public static Verdict Run(string user, string program, string label, SandboxLimits? limits = null)
    {
        limits ??= new SandboxLimits(TimeoutSeconds: 5, MemoryMegabytes: 512);
        if (user == This)
        {
            var sandbox = PythonSandbox.Find();
            Skip.If(sandbox is null, "no python3 on this machine: sandbox test skipped");
            Skip.IfNot(sandbox!.Isolated, "user namespaces do not work on this machine: isolation tests skipped (code execution is refused here)");
            var outcome = sandbox.Run(program, limits, label);
            return new Verdict(outcome.Status, outcome.Output);
        }
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the sandbox runs on Linux only");
        string dir = Directory.CreateTempSubdirectory("sandbox-user-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
            string file = Path.Combine(dir, label + ".py");
            File.WriteAllText(file, program);
            File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
            var run = Start(["sandbox", "run", file, "--json", "--timeout-s", limits.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--memory-mb", limits.MemoryMegabytes.ToString(), "--processes", limits.Processes.ToString()]);
            string stdout = run.StandardOutput.ReadToEnd(), stderr = run.StandardError.ReadToEnd();
            run.WaitForExit();
            Assert.True(run.ExitCode is 0 or 1, $"smalleval as nobody: exit {run.ExitCode}\n{stdout}\n{stderr}");
            var json = JsonDocument.Parse(stdout).RootElement;
            Assert.True(json.GetProperty("isolated").GetBoolean());
            return new Verdict(json.GetProperty("status").GetString()!, json.GetProperty("output").GetString()!);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Starts `dotnet smalleval.dll ARGS` as uid 65534 (stdout and stderr redirected).</summary>
    public static Process Start(IEnumerable<string> args, IEnumerable<string>? prefix = null)
    {
        Skip.IfNot(Environment.UserName == "root", "not root: cannot switch to uid 65534 (the tests as this user are the unprivileged ones here)");
        Skip.IfNot(ReadableByNobody(SmallevalDll), $"{SmallevalDll} is not readable by uid 65534 (a folder above it is private): unprivileged tests skipped");
        var psi = new ProcessStartInfo(prefix?.First() ?? "setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in prefix?.Skip(1) ?? []) psi.ArgumentList.Add(a);
        if (prefix is not null) psi.ArgumentList.Add("setpriv");
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "dotnet", SmallevalDll }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static bool ReadableByNobody(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", path]))!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
