using System.Diagnostics;
using System.Text.Json;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Finds problems whose test code Python cannot parse, with one Python process that only parses (ast.parse executes
/// nothing), so a broken problem is reported by file and line instead of failing every completion: a syntax error,
/// and also code so deeply nested that the parser gives up (RecursionError, MemoryError) or even crashes (then that
/// problem is reported and the check goes on with the next).
/// </summary>
public static class TestCodeSyntaxCheck
{
    private const string Parser = """
        import ast, json, sys
        codes = json.load(sys.stdin)
        for i in range(int(sys.argv[1]), len(codes)):
            try:
                ast.parse(codes[i])
                print(json.dumps([i, 0, None]), flush=True)
            except SyntaxError as e:
                print(json.dumps([i, e.lineno or 0, e.msg]), flush=True)
            except Exception as e:
                print(json.dumps([i, 0, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__]), flush=True)
        """;

    /// <summary>Index of each problem whose test does not parse → (line within the test code, Python's message).</summary>
    public static Dictionary<int, (int Line, string Message)> Check(string python, IReadOnlyList<string> testCode)
    {
        var bad = new Dictionary<int, (int, string)>();
        int next = 0;
        while (next < testCode.Count)
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-I", "-c", Parser, next.ToString() }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new IOException($"could not start {python}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardInput.Write(JsonSerializer.Serialize(testCode));
            p.StandardInput.Close();
            if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{python}: parsing the test code took over a minute"); }
            foreach (var line in stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var e = JsonDocument.Parse(line).RootElement;
                int i = e[0].GetInt32();
                if (e[2].ValueKind == JsonValueKind.String) bad[i] = (e[1].GetInt32(), e[2].GetString()!);
                next = i + 1;
            }
            if (p.ExitCode == 0) break;
            // Exit status 1 is an uncaught Python error outside the per-problem check: Python itself is broken.
            if (p.ExitCode == 1) throw new IOException($"{python} could not parse the test code: {stderr.Result}");
            // Killed by a signal on problem `next` (a C stack overflow in a deeply nested expression): report it, go on.
            bad[next] = (0, $"Python's parser crashed on it (exit status {p.ExitCode})");
            next++;
        }
        return bad;
    }
}
