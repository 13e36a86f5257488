using System.Text.Json;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Reads HumanEval (<c>.jsonl</c> or <c>.jsonl.gz</c>): task_id, prompt, canonical_solution, test, entry_point. The
/// test program is human-eval's: prompt + completion + "\n" + test + "\n" + "check(entry_point)".
/// </summary>
public static class HumanEvalReader
{
    private static readonly string[] Required = ["task_id", "prompt", "canonical_solution", "test", "entry_point"];

    public static List<CodeProblem> Read(string path, DataIssues issues)
    {
        var problems = new List<CodeProblem>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            var missing = Required.Where(f => o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(f, out var v) || v.ValueKind != JsonValueKind.String).ToList();
            if (missing.Count > 0) { issues.Report(where, $"missing or non-string field(s) {string.Join(", ", missing)}"); continue; }
            string S(string f) => o.GetProperty(f).GetString()!;
            problems.Add(new CodeProblem(S("task_id"), S("prompt"), S("canonical_solution"), S("prompt"),
                "\n" + S("test") + "\n" + $"check({S("entry_point")})\n", S("test"), where));
        }
        if (problems.Count == 0) throw new InvalidDataException($"{path}: no usable problems");
        return problems;
    }
}
