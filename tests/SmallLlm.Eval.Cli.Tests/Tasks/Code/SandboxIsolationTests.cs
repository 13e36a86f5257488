using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SmallLlm.Eval.Tasks.Code;

namespace SmallLlm.Eval.Cli.Tests.Tasks.Code;

/// <summary>
/// Model-written code cannot write to the machine, connect anywhere, see the harness's folders or processes, leave
/// processes behind, fork without limit, use more memory than the whole-program limit, or kill the harness; as this
/// user (root in CI) and as an unprivileged user through the real binary. Each program below would pass if it got
/// out; every one must fail, and the test checks the host side too.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SandboxIsolationTests : IDisposable
{
    private readonly string _host = Directory.CreateTempSubdirectory("sandbox-host-").FullName;

    public SandboxIsolationTests() => File.SetUnixFileMode(_host, (UnixFileMode)Convert.ToInt32("777", 8)); // writable by anyone, outside a sandbox

    public void Dispose() => Directory.Delete(_host, recursive: true);

    private static string Label(string name) => $"iso-{name}-{Guid.NewGuid():N}";

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void Files_outside_its_private_tmp_cannot_be_written_or_even_seen(string user)
    {
        string target = Path.Combine(_host, "escaped.txt");
        var write = SandboxUser.Run(user, $"open({Py(target)}, 'w').write('x')\n", Label("write"));
        Assert.Equal("failed", write.Status);
        Assert.False(File.Exists(target));
        foreach (var path in new[] { _host, "/root", "/home", "/work", Directory.GetCurrentDirectory() })
            Assert.Equal("failed", SandboxUser.Run(user, $"import os\nassert os.path.exists({Py(path)})\n", Label("see")).Status);
        Assert.Equal("failed", SandboxUser.Run(user, "open('/usr/escaped', 'w')\n", Label("usr")).Status);
        Assert.Equal("failed", SandboxUser.Run(user, "open('/etc/escaped', 'w')\n", Label("etc")).Status);
        // Its own /tmp works, and is gone afterwards.
        string marker = $"sandbox-tmp-{Guid.NewGuid():N}";
        Assert.Equal("passed", SandboxUser.Run(user, $"open('/tmp/{marker}', 'w').write('x')\nopen('own.txt', 'w').write('ok')\n", Label("tmp")).Status);
        Assert.False(File.Exists(Path.Combine("/tmp", marker)));
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void There_is_no_network_not_even_loopback(string user)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var r = SandboxUser.Run(user, $"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n", Label("net"));
        Assert.Equal("failed", r.Status);
        Assert.False(listener.Pending(), "a connection from the sandbox reached the host");
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void The_host_processes_are_invisible_and_the_harness_cannot_be_killed(string user)
    {
        // A fresh /proc: nothing of the host (no dotnet, no test runner) is listed.
        string look = "import os\nnames = [open(f'/proc/{p}/cmdline','rb').read() for p in os.listdir('/proc') if p.isdigit()]\n" +
            "assert any(b'dotnet' in n or b'testhost' in n for n in names)\n";
        Assert.Equal("failed", SandboxUser.Run(user, look, Label("proc")).Status);
        // os.getppid() is 0 inside (the parent is outside the PID namespace): killing it hits only the sandbox.
        var kill = SandboxUser.Run(user, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)\n", Label("kill"));
        Assert.NotEqual("passed", kill.Status);
        Assert.Equal("passed", SandboxUser.Run(user, "print('still here')\n", Label("after")).Status); // and the harness still runs
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void Nothing_outlives_the_run(string user)
    {
        string label = Label("daemon");
        // A double-forked daemon in a session of its own that would outlive a plain process-group kill.
        string program = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(60)\n    os._exit(0)\ntime.sleep(0.5)\n";
        Assert.Equal("passed", SandboxUser.Run(user, program, label).Status);
        WaitUntilGone(label);
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void A_fork_bomb_stops_at_the_process_limit(string user)
    {
        string label = Label("forkbomb");
        string program = "import os, time\nn = 0\nwhile n < 1000:\n    try:\n        if os.fork() == 0:\n            time.sleep(30)\n            os._exit(0)\n        n += 1\n" +
            "    except OSError:\n        break\nprint('forked', n)\nassert n >= 1000\n";
        var r = SandboxUser.Run(user, program, label, new SandboxLimits(TimeoutSeconds: 10, MemoryMegabytes: 1024, Processes: 16));
        Assert.Equal("failed", r.Status);
        Assert.Matches(@"forked (1[0-5]|[0-9])\b", r.Output);
        WaitUntilGone(label);
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void Memory_is_limited_for_the_whole_program(string user)
    {
        var limits = new SandboxLimits(TimeoutSeconds: 10, MemoryMegabytes: 256, Processes: 8);
        Assert.Equal("failed", SandboxUser.Run(user, "x = bytearray(300 * 1024 * 1024)\n", Label("mem1"), limits).Status);
        // Four processes of 100 MB each: each fits alone, together they exceed 256 MB, so they cannot all succeed.
        string together = "import os\npids = []\nfor i in range(4):\n    pid = os.fork()\n    if pid == 0:\n        try:\n            b = bytearray(100 * 1024 * 1024)\n" +
            "            for j in range(0, len(b), 4096): b[j] = 1\n            import time; time.sleep(1)\n            os._exit(0)\n        except MemoryError:\n            os._exit(3)\n" +
            "    pids.append(pid)\nresults = [os.waitpid(p, 0)[1] for p in pids]\nprint(results)\nassert all(r == 0 for r in results)\n";
        Assert.Equal("failed", SandboxUser.Run(user, together, Label("mem4"), limits).Status);
        // Without a cgroup (nobody) each of 4 processes gets 64 MB of address space, ~15 MB of it the interpreter's own:
        // 50 MB fitted with under 1 MB to spare (any runner or Python change tipped it), 40 MB fits with room.
        Assert.Equal("passed", SandboxUser.Run(user, "b = bytearray(40 * 1024 * 1024)\n", Label("mem-ok"), limits).Status);
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void Files_are_limited_in_size(string user)
    {
        var r = SandboxUser.Run(user, "open('/tmp/big', 'wb').write(b'x' * (100 * 1024 * 1024))\n", Label("fsize"));
        Assert.Equal("failed", r.Status);
    }

    [SkippableFact]
    public void Killing_smalleval_with_sigkill_kills_the_sandboxed_program_as_root()
    {
        Skip.IfNot(PythonSandbox.Find() is { Isolated: true }, "user namespaces do not work here: test skipped");
        KillNineLeavesNothing(label => CliRun.StartProcess(["sandbox", "run", Program(label), "--timeout-s", "60"]));
    }

    [SkippableFact]
    public void Killing_smalleval_with_sigkill_kills_the_sandboxed_program_as_nobody()
    {
        Skip.IfNot(PythonSandbox.Find() is { Isolated: true }, "user namespaces do not work here: test skipped");
        KillNineLeavesNothing(label => SandboxUser.Start(["sandbox", "run", Program(label), "--timeout-s", "60"]));
    }

    private string Program(string label)
    {
        string file = Path.Combine(_host, label + ".py");
        File.WriteAllText(file, "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\ntime.sleep(60)\n");
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
        return file;
    }

    private static void KillNineLeavesNothing(Func<string, Process> start)
    {
        string label = Label("kill9");
        using var cli = start(label);
        var clock = Stopwatch.StartNew();
        // Wait for the program (python running runner.py with the label) to be running inside the sandbox. A loaded
        // machine may take long to start dotnet and the sandbox; the program sleeps 60 s, so give it as long.
        while (!ProcessTable.ProcessesWith(label).Any(p => IsPython(p)) && clock.Elapsed.TotalSeconds < 120 && !cli.HasExited) Thread.Sleep(100);
        Assert.True(ProcessTable.ProcessesWith(label).Any(IsPython), "the sandboxed program never started: " + Describe(cli, clock));
        cli.Kill(); // SIGKILL to smalleval alone, not its children
        cli.WaitForExit();
        WaitUntilGone(label);
    }

    /// <summary>What smalleval did: still running after how long, or its exit status with both streams (its verdict
    /// is on stdout, a refusal on stderr), so a failure under load says why.</summary>
    private static string Describe(Process cli, Stopwatch clock)
    {
        if (!cli.HasExited) return $"smalleval still running after {clock.Elapsed.TotalSeconds:F0} s with no sandboxed python in the process table";
        return $"smalleval exited with status {cli.ExitCode} after {clock.Elapsed.TotalSeconds:F0} s\nstdout: {cli.StandardOutput.ReadToEnd()}\nstderr: {cli.StandardError.ReadToEnd()}";
    }

    private static bool IsPython(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains("runner.py"); }
        catch (IOException) { return false; }
    }

    private static void WaitUntilGone(string label)
    {
        var clock = Stopwatch.StartNew();
        while (ProcessTable.ProcessesWith(label).Count > 0 && clock.Elapsed.TotalSeconds < 10) Thread.Sleep(100);
        Assert.True(ProcessTable.ProcessesWith(label).Count == 0, $"processes outlived the run: {string.Join(", ", ProcessTable.ProcessesWith(label))}");
    }

    private static string Py(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
