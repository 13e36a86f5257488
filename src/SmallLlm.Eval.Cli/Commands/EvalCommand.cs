using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval eval</c>: one model on a list of tasks.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var tasks = TaskOptions.Tasks("Comma-separated task names (see `smalleval tasks list`), e.g. mmlu,arc_easy.");
        var output = new Option<string>("--output", "-o", "--output_path") { Description = "Results folder: <output>/<model-id>/<run-id>/<task>.json and .samples.jsonl (a new run folder each time; <model-id>/latest names the newest), summary.csv.", DefaultValueFactory = _ => "results" };
        var cache = new Option<string?>("--cache") { Description = "Request cache (SQLite) that makes killed runs resume; default <output>/.cache/requests.sqlite." };
        var noCache = new Option<bool>("--no-cache") { Description = "Compute every request, store nothing." };
        var commitEvery = new Option<int>("--commit-every") { Description = "Commit computed answers to the cache every N requests (a killed run loses at most N).", DefaultValueFactory = _ => 512 };
        var json = ModelOptions.Json();
        var shard = new Option<string?>("--shard") { Description = "Run shard I of N (e.g. 2/3): a deterministic block of every task's requests into the cache, plus shard.json; combine the N folders with `smalleval merge`." };
        var evalOptions = new EvalOptions();
        var loading = new ModelLoadOptions();
        var command = new Command("eval", "Evaluate a model on tasks: log-likelihood multiple choice (MMLU, ARC, PIQA) and more. Results are written atomically; a killed run resumes from the request cache.")
        {
            model, tasks, output, cache, noCache, commitEvery, json, shard,
        };
        evalOptions.AddTo(command);
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            string outputDir = parse.GetValue(output)!;
            bool asJson = parse.GetValue(json);
            evalOptions.WriteNotes(parse);
            bool headerDone = false;
            var job = evalOptions.Job(parse, parse.GetValue(model)!, TaskOptions.ParseTasks(parse.GetValue(tasks)!), outputDir);
            var spec = loading.Apply(parse, job) with
            {
                CachePath = parse.GetValue(noCache) ? null : parse.GetValue(cache) ?? Path.Combine(outputDir, ".cache", "requests.sqlite"),
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
            if (asJson) writer.WriteLine(JsonSerializer.Serialize(results, CliJson.Options));
            else
            {
                writer.WriteLine($"results: {DisplayPath.Of(results.RunDirectory)} (<task>.json, <task>.samples.jsonl; {DisplayPath.Of(outputDir)}/summary.csv)");
            }
            return 0;
        });
        return command;
    }
}
