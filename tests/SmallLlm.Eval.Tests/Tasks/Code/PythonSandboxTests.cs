using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Tests.Tasks.Code;

/// <summary>Model-written code that hangs, forks, writes outside its folder or exhausts memory is stopped and recorded
/// as failed. These run real python3 processes; they skip where the machine has none.</summary>
public class PythonSandboxTests
{
    private static readonly SandboxLimits Fast = new(TimeoutSeconds: 2, MemoryMegabytes: 256);

    private static PythonSandbox Sandbox()
    {
        var sandbox = PythonSandbox.Find();
        Skip.If(sandbox is null, "no python3 on this machine: sandbox tests skipped");
        return sandbox!;
    }

    [SkippableFact]
    public void A_correct_program_passes_and_a_failing_assert_fails()
    {
        var s = Sandbox();
        Assert.Equal("passed", s.Run("def f(x):\n    return x + 1\nassert f(1) == 2\n", Fast).Status);
        var failed = s.Run("assert 1 == 2, 'wrong'\n", Fast);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("AssertionError: wrong", failed.Output);
    }

    [SkippableFact]
    public void A_hanging_program_is_killed_at_the_timeout()
    {
        string label = $"hang-{Guid.NewGuid():N}";
        var r = Sandbox().Run("while True:\n    pass\n", Fast, label);
        Assert.Equal("timeout", r.Status);
        Assert.Null(r.ExitCode);
        Assert.False(r.Passed);
        AssertNothingLeft(label);
    }

    [SkippableFact]
    public void A_fork_bomb_is_contained_and_killed()
    {
        string label = $"forkbomb-{Guid.NewGuid():N}";
        var r = Sandbox().Run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", Fast, label);
        Assert.False(r.Passed);
        AssertNothingLeft(label);
        // The machine can still start processes afterwards.
        Assert.Equal("passed", Sandbox().Run("print('alive')\n", Fast).Status);
    }

    /// <summary>No process of the run is left (the label is in each one's command line); the kill is asynchronous, so
    /// the processes get a few seconds to be reaped.</summary>
    private static void AssertNothingLeft(string label)
    {
        for (int i = 0; i < 100 && ProcessTable.ProcessesWith(label).Count > 0; i++) Thread.Sleep(100);
        Assert.True(ProcessTable.ProcessesWith(label).Count == 0, $"processes outlived the run: {string.Join(", ", ProcessTable.ProcessesWith(label))}");
    }

    [SkippableFact]
    public void Exhausting_memory_fails_at_the_limit()
    {
        var r = Sandbox().Run("x = bytearray(2 * 1024 ** 3)\n", Fast);
        Assert.Equal("failed", r.Status);
        Assert.Contains("MemoryError", r.Output);
    }

    [SkippableFact]
    public void Writes_outside_the_folder_do_not_reach_the_machine()
    {
        var s = Sandbox();
        Skip.IfNot(s.Isolated, "no user namespaces here: code execution is refused on this machine");
        string marker = $"smalleval-escape-{Guid.NewGuid():N}";
        var outside = s.Run($"open('/{marker}', 'w').write('x')\n", Fast);
        Assert.Equal("failed", outside.Status);
        Assert.Contains("Read-only file system", outside.Output);
        Assert.False(File.Exists("/" + marker));
        // /tmp is a private tmpfs: a write there succeeds inside and vanishes with the sandbox.
        Assert.Equal("passed", s.Run($"open('/tmp/{marker}', 'w').write('x')\nopen('own.txt', 'w').write('ok')\n", Fast).Status);
        Assert.False(File.Exists(Path.Combine("/tmp", marker)));
    }

    [SkippableFact]
    public void There_is_no_network()
    {
        var s = Sandbox();
        Skip.IfNot(s.Isolated, "no user namespaces here: code execution is refused on this machine");
        var r = s.Run("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n", Fast);
        Assert.Equal("failed", r.Status);
        Assert.Contains("OSError", r.Output.Replace("Network is unreachable", "OSError"));
    }
}
