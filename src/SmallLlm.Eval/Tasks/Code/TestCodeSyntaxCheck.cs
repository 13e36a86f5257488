using System.Diagnostics;
using System.Text.Json;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Finds problems whose test code is not valid Python, with one Python process that only parses (ast.parse executes
/// nothing), so a broken problem is reported by file and line instead of failing every completion.
/// </summary>
public static class TestCodeSyntaxCheck
{
    private const string Parser = """
        import ast, json, sys
        for i, code in enumerate(json.load(sys.stdin)):
            try:
                ast.parse(code)
            except SyntaxError as e:
                print(json.dumps([i, e.lineno or 0, e.msg]))
        """;

    /// <summary>Index of each problem whose test does not parse → (line within the test code, Python's message).</summary>
    public static Dictionary<int, (int Line, string Message)> Check(string python, IReadOnlyList<string> testCode)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-I", "-c", Parser }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new IOException($"could not start {python}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(JsonSerializer.Serialize(testCode));
        p.StandardInput.Close();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{python}: parsing the test code took over a minute"); }
        if (p.ExitCode != 0) throw new IOException($"{python} could not parse the test code: {stderr.Result}");
        var bad = new Dictionary<int, (int, string)>();
        foreach (var line in stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var e = JsonDocument.Parse(line).RootElement;
            bad[e[0].GetInt32()] = (e[1].GetInt32(), e[2].GetString() ?? "");
        }
        return bad;
    }
}
