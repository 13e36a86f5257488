using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Cli.Tests.Tasks.Code;

/// <summary>
/// A program that reads the run's verdict marker and prints it before exiting with status 0 would pass without its
/// tests: each program below searches for the marker one way (the four of issue 24 first) and, where it finds it,
/// prints it and exits 0; where it does not, it fails. Every one must fail and print no marker, as this user (root in
/// CI) and as an unprivileged user through the real binary. Honest programs that use the same tools still pass.
/// </summary>
public partial class SandboxForgeryTests
{
    // Finds a marker-shaped value (the real marker is "smalleval-passed-" and 32 hex digits) and forges the pass with it.
    private const string Forge = """
        import os, re, sys
        PAT = re.compile(rb'smalleval-passed-[0-9A-F]{32}')
        def forge(found):
            m = PAT.search(found if isinstance(found, bytes) else repr(found).encode())
            if m:
                os.write(1, b'\n' + m.group(0) + b'\n')
                os._exit(0)
        def search_frames(f):
            while f is not None:
                for v in list(f.f_locals.values()):
                    forge(v)
                f = f.f_back

        """;

    private const string ReadMemory = """
        def read_memory(pid):
            maps = open(f'/proc/{pid}/maps').read().splitlines()
            with open(f'/proc/{pid}/mem', 'rb', 0) as mem:
                for line in maps:
                    lo, hi = (int(x, 16) for x in line.split()[0].split('-'))
                    if 'r' not in line.split()[1]:
                        continue
                    try:
                        mem.seek(lo)
                        forge(mem.read(hi - lo))
                    except (OSError, ValueError, OverflowError):
                        pass

        """;

    public static readonly TheoryData<string, string, string> Forgeries = Build(new (string, string)[]
    {
        ("caller_frame", "search_frames(sys._getframe(1))\n"),
        ("traceback_frame", "try:\n    raise ValueError\nexcept ValueError as e:\n    search_frames(e.__traceback__.tb_frame)\n"),
        ("inspect_stack", "import inspect\nfor info in inspect.stack():\n    search_frames(info.frame)\n"),
        ("proc_self_mem", ReadMemory + "read_memory('self')\n"),
        ("proc_self_mem_by_relative_path", ReadMemory + "os.chdir('/')\nforge(open('proc/self/mem', 'rb').read(1))\n"),
        ("all_threads_frames", "for f in sys._current_frames().values():\n    search_frames(f)\n"),
        ("gc_object_walk", "import gc\nfor o in gc.get_objects():\n    forge(o)\n"),
        ("gc_referrers", "import gc\nfor o in gc.get_referrers(sys._getframe(0).f_globals):\n    forge(o)\n"),
        ("ctypes_memory", "import ctypes\nforge(ctypes.string_at(id(sys), 100000))\n"),
        ("child_reads_parent_memory", "import subprocess\nout = subprocess.run([sys.executable, '-c', " +
            "'import sys\\nfor l in open(f\"/proc/{sys.argv[1]}/maps\"):\\n  lo, hi = (int(x, 16) for x in l.split()[0].split(\"-\"))\\n" +
            "  try:\\n    m = open(f\"/proc/{sys.argv[1]}/mem\", \"rb\", 0); m.seek(lo); sys.stdout.buffer.write(m.read(hi - lo))\\n  except Exception: pass\\n'," +
            " str(os.getpid())], capture_output=True).stdout\nforge(out)\n"),
        ("excepthook_after_interrupting_the_main_thread", "import _thread, time\nsys.excepthook = lambda t, v, tb: search_frames(tb.tb_frame)\n" +
            "_thread.interrupt_main()\ntime.sleep(1)\n"),
        ("finalizer_on_the_main_thread", "class Leak:\n    def __del__(self):\n        search_frames(sys._getframe(0))\nLEAK = Leak()\nLEAK.cycle = LEAK\n"),
        ("symlink_to_proc", "os.symlink('/proc/self/mem', '/tmp/m')\nforge(open('/tmp/m', 'rb').read(1))\n"),
        ("replaced_builtins", "import builtins\nbuiltins.isinstance = lambda *a: False\nbuiltins.len = lambda *a: search_frames(sys._getframe(1)) or 0\n" +
            ReadMemory + "read_memory('self')\n"),
    });

    private static TheoryData<string, string, string> Build((string Name, string Attack)[] attacks)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var user in new[] { SandboxUser.This, SandboxUser.Nobody })
            foreach (var (name, attack) in attacks) data.Add(user, name, Forge + attack + "assert False, 'no marker found'\n");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Forgeries))]
    public void A_program_that_forges_the_pass_marker_fails(string user, string name, string program)
    {
        var verdict = SandboxUser.Run(user, program, $"forge-{name}-{Guid.NewGuid():N}", new(TimeoutSeconds: 20, MemoryMegabytes: 512));
        Assert.True(verdict.Status == "failed", $"{name} as {user}: expected failed, got {verdict.Status}\n{verdict.Output}");
        Assert.DoesNotMatch(MarkerShape(), verdict.Output);
    }

    [SkippableTheory]
    [MemberData(nameof(SandboxUser.Both), MemberType = typeof(SandboxUser))]
    public void Honest_programs_that_inspect_their_own_frames_and_use_threads_still_pass(string user)
    {
        const string program = """
            import sys, inspect, traceback, enum, dataclasses, pathlib, json
            from collections import namedtuple
            from concurrent.futures import ThreadPoolExecutor
            Point = namedtuple('Point', 'x y')
            class Colour(enum.Enum):
                RED = 1
            assert inspect.stack()[0].function == '<module>'
            assert sys._getframe(0).f_code.co_filename == 'program.py'
            try:
                raise ValueError('x')
            except ValueError as e:
                assert e.__traceback__.tb_frame.f_code.co_name == '<module>'
                traceback.format_exc()
            with ThreadPoolExecutor(8) as pool:
                assert list(pool.map(abs, [-1, -2, -3])) == [1, 2, 3]
            pathlib.Path('own.json').write_text(json.dumps({'a': Point(1, 2)}))
            assert json.loads(open('own.json').read()) == {'a': [1, 2]}
            def check(candidate):
                assert candidate(2, 3) == 5
            check(lambda a, b: a + b)
            """;
        var verdict = SandboxUser.Run(user, program, $"honest-{Guid.NewGuid():N}", new(TimeoutSeconds: 20, MemoryMegabytes: 512));
        Assert.True(verdict.Status == "passed", $"as {user}: expected passed, got {verdict.Status}\n{verdict.Output}");
    }

    [GeneratedRegex("smalleval-passed-[0-9A-F]{32}")]
    private static partial Regex MarkerShape();
}
