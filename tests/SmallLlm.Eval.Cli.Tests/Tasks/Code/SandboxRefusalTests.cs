using System.Diagnostics;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Cli.Tests.Tasks.Code;

/// <summary>Where no isolation works, code execution is refused (exit 2, one line saying why and what to do) unless
/// --allow-unsandboxed-execution. The test makes such a machine by running smalleval in a user namespace that may
/// create no further user namespaces (user.max_user_namespaces = 0).</summary>
public sealed class SandboxRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sandbox-refusal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) WithoutNamespaces(params string[] args)
    {
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--user", "--map-root-user", "/bin/sh", "-c", "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"", "sh",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "smalleval.dll") }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [SkippableFact]
    public void Without_isolation_code_is_refused_unless_explicitly_allowed()
    {
        Skip.IfNot(PythonSandbox.Find() is { Isolated: true }, "user namespaces do not work here, so a machine without them cannot be made: test skipped");
        string program = Path.Combine(_dir, "ok.py");
        File.WriteAllText(program, "print('ran')\n");
        var refused = WithoutNamespaces("sandbox", "run", program);
        Assert.True(refused.Code == 2, $"exit {refused.Code}\n{refused.Stdout}\n{refused.Stderr}");
        Assert.StartsWith("error: ", refused.Stderr);
        Assert.Contains("--allow-unsandboxed-execution", refused.Stderr);
        Assert.DoesNotContain("ran", refused.Stdout);

        var allowed = WithoutNamespaces("sandbox", "run", program, "--allow-unsandboxed-execution", "--json");
        Assert.True(allowed.Code == 0, $"exit {allowed.Code}\n{allowed.Stdout}\n{allowed.Stderr}");
        Assert.Contains("\"isolated\":false", allowed.Stdout);
        Assert.Contains("ran", allowed.Stdout);
    }

    [SkippableFact]
    public void Eval_with_code_execution_is_refused_without_isolation()
    {
        Skip.IfNot(PythonSandbox.Find() is { Isolated: true }, "user namespaces do not work here, so a machine without them cannot be made: test skipped");
        var refused = WithoutNamespaces("eval", "--model", "stories260K", "--tasks", "humaneval", "--limit", "1", "--output", _dir, "--no-cache", "--allow-code-execution");
        Assert.True(refused.Code == 2, $"exit {refused.Code}\n{refused.Stdout}\n{refused.Stderr}");
        Assert.Contains("cannot isolate", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "stories260K", "humaneval.json")));
    }
}
