using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval bench tasks</c>: whole-task throughput and the share of time outside the model.</summary>
public static class BenchTasksCommand
{
    /// <summary>Near the mean subject in size (282 and 173 questions; mean 246), question length and few-shot prefix length.</summary>
    public const string DefaultSubjects = "professional_accounting,college_medicine";

    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated models: paths, bundled names, or random:stories15M / random:stories110M.", DefaultValueFactory = _ => "stories260K,random:stories110M" };
        var tasks = new Option<string>("--tasks") { Description = "Comma-separated tasks.", DefaultValueFactory = _ => "mmlu" };
        var shots = new Option<string>("--shots") { Description = "Comma-separated few-shot counts to measure.", DefaultValueFactory = _ => "0,5" };
        var limit = new Option<int?>("--limit") { Description = "Documents per task (per subject for MMLU); default: whole tasks and whole subjects. A few questions per subject share MMLU's few-shot prefix among few, so 5-shot looks slower than a full run is." };
        var subjects = new Option<string>("--subjects") { Description = "MMLU subjects measured, or 'all' (57 subjects, 14,042 questions). The default two whole subjects (455 questions) share their few-shot prefix as a full run does (7.7 characters of prefix per question; all of MMLU: 7.9) and fit a 1,024-token context; README says how long subjects change a full run at that context.", DefaultValueFactory = _ => DefaultSubjects };
        var dtypes = new Option<string>("--dtypes") { Description = "Comma-separated dtypes: fp32, bf16, auto.", DefaultValueFactory = _ => "fp32" };
        var batch = new Option<string>("--batch-size") { Description = "Sequences per forward pass, or auto.", DefaultValueFactory = _ => "auto" };
        var json = ModelOptions.Json();
        var command = new Command("tasks", "Benchmark whole tasks end to end (no cache): documents/s, tokens/s, and the share of wall time spent outside the engine's forward passes. By default whole MMLU subjects (see --subjects), so 0- and 5-shot compare as in a full run; tokens computed are shown with and without few-shot prefix reuse.")
        {
            models, tasks, shots, limit, subjects, dtypes, batch, json,
        };
        command.SetAction(parse =>
        {
            var registry = TaskRegistry.Load(ProjectPaths.TasksDirectory(null));
            var taskList = registry.CreateAll(parse.GetValue(tasks)!);
            var shotList = parse.GetValue(shots)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out int k) ? k
                : throw new ArgumentException($"--shots: '{s}' is not a number")).ToList();
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var options = new Dictionary<string, string>();
            if (parse.GetValue(subjects) is { } only && only != "all") options["subjects"] = only;
            int? limitValue = SettingRules.Limit(parse.GetValue(limit), "--limit");
            foreach (var task in taskList) task.Describe(new TaskSettings { Limit = limitValue, Options = options }); // unknown subjects fail before any output
            if (!asJson)
            {
                output.WriteLine("| model | dtype | task | shots | docs | groups | docs/group | requests | wall s | docs/s | tokens/s | outside engine | tokens computed | without prefix reuse |");
                output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            }
            var rows = new List<TaskBenchmarkResult>();
            foreach (var m in parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                foreach (var dtypeText in parse.GetValue(dtypes)!.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var d = ModelOptions.ResolveDType(dtypeText, m).DType;
                    using var model = TaskBenchmark.LoadModel(m, d);
                    foreach (var task in taskList)
                        foreach (int k in shotList)
                        {
                            var r = TaskBenchmark.Run(model, task, new TaskSettings { NumFewshot = k, Limit = limitValue, Options = options }, parse.GetValue(batch)!);
                            rows.Add(r);
                            if (!asJson)
                                output.WriteLine($"| {r.Model} | {r.DType} | {r.Task} | {k} | {r.Documents} | {r.Groups} | {r.DocumentsPerGroup:F0} | {r.Requests} | {r.WallSeconds:F1} | {r.DocumentsPerSecond:F1} | {r.TokensPerSecond:F0} | {r.OverheadShare:P1} | {r.TokensWithReuse:N0} | {r.TokensWithoutReuse:N0} |");
                        }
                }
            if (asJson) output.WriteLine(JsonSerializer.Serialize(rows, CliJson.Options));
            return 0;
        });
        return command;
    }
}
