using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Reads MBPP (<c>mbpp.jsonl</c>: task_id, text, code, test_list, test_setup_code) and prompts as Austin et al. 2021 and
/// lm-evaluation-harness do: "You are an expert Python programmer, and here is your task: {text} Your code should pass
/// these tests:\n\n{tests}\n[BEGIN]\n", the solution ending at "[DONE]". Few-shot examples are tasks 2, 3 and 4.
/// </summary>
public static class MbppReader
{
    public sealed record MbppRecord(int TaskId, string Text, string Code, IReadOnlyList<string> Tests, string Setup, string Source);

    public static List<MbppRecord> Read(string path, DataIssues issues)
    {
        var records = new List<MbppRecord>();
        foreach (var (where, o) in JsonlRecords.Read(path, issues))
        {
            int? id = JsonFields.Int(o, "task_id");
            string? text = JsonFields.String(o, "text"), code = JsonFields.String(o, "code");
            var tests = JsonFields.Strings(o, "test_list");
            if (id is null || text is null || code is null || tests is null || tests.Count == 0)
            {
                issues.Report(where, "expected task_id (integer), text and code (strings) and test_list (non-empty array of strings)");
                continue;
            }
            string setup = JsonFields.String(o, "test_setup_code") ?? "";
            records.Add(new MbppRecord(id.Value, text, Normalize(code), tests, Normalize(setup), where));
        }
        if (records.Count == 0) throw new InvalidDataException($"{path}: no usable problems");
        return records;
    }

    // MBPP's solutions mix \r\n and \n; Python does not care, byte counts and first-line matches do.
    private static string Normalize(string code) => code.Replace("\r\n", "\n");

    public static string PromptOf(MbppRecord r) =>
        $"You are an expert Python programmer, and here is your task: {r.Text} Your code should pass these tests:\n\n{string.Join("\n", r.Tests)}\n[BEGIN]\n";

    public static CodeProblem ToProblem(MbppRecord r, string fewshot)
    {
        string tests = string.Join("\n", r.Tests);
        return new CodeProblem($"mbpp/{r.TaskId}", fewshot + PromptOf(r), r.Code,
            r.Setup.Length > 0 ? r.Setup + "\n" : "", "\n" + tests + "\n", tests, r.Source);
    }

    public static string Fewshot(IEnumerable<MbppRecord> examples) =>
        string.Concat(examples.Select(e => PromptOf(e) + e.Code + "\n[DONE]\n\n"));
}
