namespace SmallLlm.Eval.Cli.Tests.Tasks.Code;

/// <summary>Only a program whose tests returned normally passes: exiting with status 0 early, from inside the tests,
/// from an excepthook or from an atexit handler is a failure (human-eval counts these as failures too). Each case as
/// this user and as an unprivileged user through the real binary.</summary>
public class SandboxVerdictTests
{
    private const string Solution = "def add(a, b):\n    return a + b\n";
    private const string Check = "\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n\ncheck(add)\n";
    private const string WrongSolution = "def add(a, b):\n    return a - b\n";

    public static readonly TheoryData<string, string, string, string> Cases = Build();

    private static TheoryData<string, string, string, string> Build()
    {
        var programs = new (string Name, string Program, string Expected)[]
        {
            ("honest", Solution + Check, "passed"),
            ("wrong", WrongSolution + Check, "failed"),
            ("sys_exit_before_tests", WrongSolution + "import sys\nsys.exit(0)\n" + Check, "failed"),
            ("os_exit_inside_tests", "import os\ndef add(a, b):\n    os._exit(0)\n" + Check, "failed"),
            ("excepthook_exits_0", "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n" + WrongSolution + Check, "failed"),
            ("atexit_exits_0", "import atexit, os\natexit.register(lambda: os._exit(0))\n" + WrongSolution + Check, "failed"),
            ("raise_systemexit_0", "def add(a, b):\n    raise SystemExit(0)\n" + Check, "failed"),
            ("stdout_closed", "import sys, os\nos.close(1)\n" + WrongSolution + Check, "failed"),
            ("prints_fake_marker", "print('smalleval-passed-0000')\nimport os\nos._exit(0)\n" + Check, "failed"),
        };
        var data = new TheoryData<string, string, string, string>();
        foreach (var user in new[] { SandboxUser.This, SandboxUser.Nobody })
            foreach (var (name, program, expected) in programs) data.Add(user, name, program, expected);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Only_tests_that_returned_normally_pass(string user, string name, string program, string expected)
    {
        var verdict = SandboxUser.Run(user, program, $"verdict-{name}-{Guid.NewGuid():N}");
        Assert.True(expected == verdict.Status, $"{name} as {user}: expected {expected}, got {verdict.Status}\n{verdict.Output}");
        if (expected == "passed") Assert.DoesNotContain("smalleval-passed-", verdict.Output);
    }
}
