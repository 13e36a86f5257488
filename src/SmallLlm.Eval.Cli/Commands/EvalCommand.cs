using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval eval</c>: one model on a list of tasks.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var dtype = ModelOptions.DType();
        var tokenizer = ModelOptions.Tokenizer();
        var tasks = TaskOptions.Tasks("Comma-separated task names (see `smalleval tasks list`), e.g. mmlu,arc_easy.");
        var shots = TaskOptions.NumFewshot("Few-shot examples per prompt (default: each task's own, 5 for MMLU).");
        var limit = TaskOptions.Limit("At most N documents per task (per subject for MMLU).");
        var batch = TaskOptions.BatchSize();
        var includeTasks = TaskOptions.IncludeTasks();
        var logSamples = TaskOptions.LogSamples();
        var output = new Option<string>("--output", "-o", "--output_path") { Description = "Results folder: <output>/<model-id>/<run-id>/<task>.json and .samples.jsonl (a new run folder each time; <model-id>/latest names the newest), summary.csv.", DefaultValueFactory = _ => "results" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for anything random (sampling).", DefaultValueFactory = _ => 1234UL };
        var strict = new Option<bool>("--strict") { Description = "Fail on malformed data rows instead of skipping them with a warning." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Read task data from this folder instead of the bundled one." };
        var cache = new Option<string?>("--cache") { Description = "Request cache (SQLite) that makes killed runs resume; default <output>/.cache/requests.sqlite." };
        var noCache = new Option<bool>("--no-cache") { Description = "Compute every request, store nothing." };
        var commitEvery = new Option<int>("--commit-every") { Description = "Commit computed answers to the cache every N requests (a killed run loses at most N).", DefaultValueFactory = _ => 512 };
        var stride = new Option<int?>("--rolling-stride") { Description = "Perplexity: overlapping windows that advance by N tokens (each scores only its new tokens); default disjoint windows of the full context." };
        var tasksDir = new Option<string?>("--tasks-dir") { Description = "Folder of task definitions (default: the repository's tasks/)." };
        var subjects = new Option<string?>("--subjects") { Description = "MMLU only: comma-separated subjects to run." };
        var fitShots = new Option<string?>("--fit-shots") { Description = "Few-shot prompts longer than the context: truncate (default, lm-evaluation-harness: keep every shot, cut the context on the left) or drop (drop shots until the prompt fits)." };
        var allowCode = new Option<bool>("--allow-code-execution") { Description = "Code tasks (humaneval, mbpp): RUN the model-written Python code on this machine (in a sandbox: separate process, time/memory/CPU limits, no network where possible) to compute pass@k." };
        var allowUnsandboxed = new Option<bool>("--allow-unsandboxed-execution") { Description = "With --allow-code-execution where no sandbox works (no user namespaces): run the code WITHOUT isolation anyway (it can read and write what you can, and reach the network)." };
        var allowNonFinite = new Option<bool>("--allow-nonfinite") { Description = "Record NaN or infinite scores from the model (counted and warned about in the result) instead of failing the task on the first one." };
        var json = ModelOptions.Json();
        var backend = ModelBackends.BackendOption();
        var fast = ModelBackends.FastOption();
        var remote = new RemoteCliOptions();
        var shard = new Option<string?>("--shard") { Description = "Run shard I of N (e.g. 2/3): a deterministic block of every task's requests into the cache, plus shard.json; combine the N folders with `smalleval merge`." };
        var command = new Command("eval", "Evaluate a model on tasks: log-likelihood multiple choice (MMLU, ARC, PIQA) and more. Results are written atomically; a killed run resumes from the request cache.")
        {
            model, tasks, shots, limit, batch, dtype, tokenizer, output, seed, strict, dataDir, cache, noCache, commitEvery, stride, tasksDir, includeTasks, subjects, fitShots, allowCode, allowUnsandboxed, allowNonFinite, logSamples, json, backend, fast,
        };
        foreach (var o in remote.All) command.Options.Add(o);
        command.Options.Add(shard);
        command.SetAction(parse =>
        {
            string outputDir = parse.GetValue(output)!;
            bool asJson = parse.GetValue(json);
            if (parse.GetValue(logSamples)) parse.InvocationConfiguration.Error.WriteLine(TaskOptions.LogSamplesNote);
            var (limitCount, limitFraction) = TaskOptions.ParseLimit(parse.GetValue(limit));
            bool headerDone = false;
            var options = new Dictionary<string, string>();
            if (parse.GetValue(subjects) is string s) options["subjects"] = s;
            if (parse.GetValue(fitShots) is string fs) options[FewshotFitOption.Key] = fs;
            if (parse.GetValue(allowCode)) options["allow_code_execution"] = "true";
            if (parse.GetValue(allowUnsandboxed)) options["allow_unsandboxed_execution"] = "true";
            var settings = new TaskSettings
            {
                NumFewshot = SettingRules.NumFewshot(parse.GetValue(shots), "--num-fewshot"),
                Limit = limitCount is int n ? SettingRules.Limit(n, "--limit") : null,
                Seed = parse.GetValue(seed),
                Strict = parse.GetValue(strict),
                DataDir = parse.GetValue(dataDir),
                Options = options,
            };
            var spec = new EvalJobSpec
            {
                Model = parse.GetValue(model)!,
                DType = ModelOptions.ResolveDType(parse.GetValue(dtype)!, parse.GetValue(model)!).DType,
                DTypeChoice = ModelOptions.ResolveDType(parse.GetValue(dtype)!, parse.GetValue(model)!),
                Tokenizer = parse.GetValue(tokenizer),
                RollingStride = SettingRules.AtLeastOne(parse.GetValue(stride), "--rolling-stride"),
                Tasks = TaskOptions.ParseTasks(parse.GetValue(tasks)!),
                TasksDirectory = ProjectPaths.TasksDirectory(parse.GetValue(tasksDir)),
                IncludeTasks = parse.GetValue(includeTasks) ?? [],
                LimitFraction = limitFraction,
                PluginsDirectory = ProjectPaths.FindUpwards("plugins"),
                BatchSize = SettingRules.BatchSize(parse.GetValue(batch)!, "--batch-size"),
                OutputDirectory = outputDir,
                CachePath = parse.GetValue(noCache) ? null : parse.GetValue(cache) ?? Path.Combine(outputDir, ".cache", "requests.sqlite"),
                SettingsFor = _ => settings,
                AllowNonFinite = parse.GetValue(allowNonFinite),
                LoadModel = ModelBackends.JobLoader(parse.GetValue(model)!, parse.GetValue(backend)!, parse.GetValue(fast), remote.Read(parse, parse.GetValue(model)!)),
                Shard = parse.GetValue(shard) is string sh ? Shard.Parse(sh) : null,
                CommitEvery = SettingRules.AtLeastOne(parse.GetValue(commitEvery), "--commit-every"),
                // Each task's rows as soon as it finishes (a long run shows its numbers as it goes).
                TaskFinished = asJson ? null : result =>
                {
                    if (headerDone is false) { ResultsTable.WriteHeader(parse.InvocationConfiguration.Output); headerDone = true; }
                    ResultsTable.WriteRows(parse.InvocationConfiguration.Output, result);
                },
            };
            using var ctrlC = new CtrlC(parse.InvocationConfiguration.Error);
            var results = EvalJob.Run(spec with { Interrupt = ctrlC.Token }, parse.InvocationConfiguration.Error, ConsoleProgress.ForStderr);
            if (spec.Shard is not null)
            {
                parse.InvocationConfiguration.Output.WriteLine($"shard {spec.Shard} written to {outputDir} ({ShardManifest.FileName} and the request cache): combine all shards with `smalleval merge DIR... -o OUT`");
                return 0;
            }
            var writer = parse.InvocationConfiguration.Output;
            if (asJson) writer.WriteLine(JsonSerializer.Serialize(results, ResultFiles.Json));
            else
            {
                writer.WriteLine($"results: {DisplayPath.Of(results.RunDirectory)} (<task>.json, <task>.samples.jsonl; {DisplayPath.Of(outputDir)}/summary.csv)");
            }
            return 0;
        });
        return command;
    }
}
