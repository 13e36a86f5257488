using System.CommandLine;
using System.Text.Json;
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
        var shots = new Option<string>("--shots") { Description = "Comma-separated few-shot counts to measure (replaces --num-fewshot here).", DefaultValueFactory = _ => "0,5" };
        var dtypes = new Option<string>("--dtypes") { Description = "Comma-separated dtypes: fp32, bf16, auto.", DefaultValueFactory = _ => "fp32" };
        var json = ModelOptions.Json();
        var evalOptions = new EvalOptions();
        var command = new Command("tasks", $"Benchmark whole tasks end to end (no cache): documents/s, tokens/s, and the share of wall time spent outside the model's calls. By default whole tasks and the whole MMLU subjects {DefaultSubjects} (--subjects NAMES, or all: 57 subjects, 14,042 questions; they share their few-shot prefix as a full run does and fit a 1,024-token context), so 0- and 5-shot compare as in a full run; --limit N takes N documents per task (per subject), whose few-shot prefixes are shared among few, so 5-shot looks slower than a full run is. Tokens computed are shown with and without few-shot prefix reuse.")
        {
            models, tasks, shots, dtypes, json,
        };
        evalOptions.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetResult(evalOptions.NumFewshot) is not null) throw new ArgumentException("bench tasks: give the few-shot counts to measure with --shots (a list), not --num-fewshot");
            evalOptions.WriteNotes(parse);
            var job = evalOptions.Job(parse, "", [], "");
            if (parse.GetResult(evalOptions.ApplyChatTemplate) is not null) throw new ArgumentException("bench tasks: chat prompts (--apply-chat-template) are not benchmarked");
            if (job.LimitFraction is not null) throw new ArgumentException("bench tasks: --limit takes a number of documents here, not a fraction");
            if (job.RollingStride is not null || job.AllowNonFinite) throw new ArgumentException("bench tasks: --rolling-stride and --allow-nonfinite are not benchmarked (the engine's default windows; non-finite scores fail)");
            var registry = TaskRegistry.Load(job.TasksDirectory, job.PluginsDirectory, job.IncludeTasks);
            var taskList = registry.CreateAll(parse.GetValue(tasks)!);
            var shotList = parse.GetValue(shots)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out int k) ? k
                : throw new ArgumentException($"--shots: '{s}' is not a number")).ToList();
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            TaskSettings SettingsFor(IEvalTask task)
            {
                var settings = job.SettingsFor(task.Name);
                var options = new Dictionary<string, string>(settings.Options);
                string subjects = options.GetValueOrDefault("subjects") ?? DefaultSubjects;
                if (subjects == "all") options.Remove("subjects");
                else options["subjects"] = subjects;
                return settings with { Options = options };
            }
            foreach (var task in taskList) task.Describe(SettingsFor(task)); // unknown subjects fail before any output
            if (!asJson)
            {
                output.WriteLine("| model | dtype | task | shots | docs | groups | docs/group | requests | wall s | docs/s | tokens/s | outside model | tokens computed | without prefix reuse |");
                output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            }
            var rows = new List<TaskBenchmarkResult>();
            foreach (var m in parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                foreach (var dtypeText in parse.GetValue(dtypes)!.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var d = ModelOptions.ResolveDType(dtypeText, m).DType;
                    using var model = TaskBenchmark.LoadModel(m, d, job.BatchSize);
                    foreach (var task in taskList)
                        foreach (int k in shotList)
                        {
                            var r = TaskBenchmark.Run(model, task, SettingsFor(task) with { NumFewshot = k });
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
