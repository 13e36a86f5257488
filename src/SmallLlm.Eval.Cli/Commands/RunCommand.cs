using System.CommandLine;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval run</c>: the main job, every model and task that eval.config.json lists.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Run configuration (default: eval.config.json of the repository)." };
        var output = new Option<string?>("--output", "-o", "--output_path") { Description = "Override the config's results folder." };
        var json = ModelOptions.Json();
        var evalOptions = new EvalOptions();
        var loading = new ModelLoadOptions();
        var command = new Command("run", "Run the configured evaluation (eval.config.json): by default the bundled stories260K on the bundled tasks, about 70 s on a quiet 2-core machine (docs/default-run.md). Evaluation and model options given here override the config's.")
        {
            config, output, json,
        };
        evalOptions.AddTo(command);
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            string configPath = parse.GetValue(config) ?? ProjectPaths.DefaultConfig();
            var cfg = EvalConfig.Read(configPath); // its relative paths are relative to the config file's folder
            // The default config that ships beside an installed tool (dotnet tool install): results and cache go to the
            // working directory, not into the tool's own folder.
            bool shipped = parse.GetValue(config) is null
                && Path.GetFullPath(Path.GetDirectoryName(configPath)!).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(AppContext.BaseDirectory).TrimEnd(Path.DirectorySeparatorChar);
            string Writable(string relative) => shipped ? Path.GetFullPath(relative) : cfg.Resolve(relative);
            string outputDir = parse.GetValue(output) ?? Writable(cfg.Output);
            evalOptions.WriteNotes(parse);
            var folders = evalOptions.Job(parse, "", [], outputDir, cfg); // the task folders every model's job uses
            var known = TaskRegistry.Load(folders.TasksDirectory, folders.PluginsDirectory, folders.IncludeTasks).Definitions.Select(d => d.Name).ToHashSet();
            var unknown = cfg.TaskSettings.Keys.Where(t => !known.Contains(t)).ToList();
            if (unknown.Count > 0)
                throw new InvalidDataException($"{configPath}: task_settings names unknown task(s) {string.Join(", ", unknown)}: known tasks are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            bool asJson = parse.GetValue(json);
            // With --json, stdout carries only the JSON document; the table goes to stderr as it grows.
            var writer = asJson ? parse.InvocationConfiguration.Error : parse.InvocationConfiguration.Output;
            var all = new List<TaskResult>();
            var runDirs = new List<string>();
            using var ctrlC = new CtrlC(parse.InvocationConfiguration.Error);
            foreach (var entry in cfg.Models)
            {
                var spec = loading.Apply(parse, evalOptions.Job(parse, entry.Model, cfg.Tasks, outputDir, cfg), entry) with
                {
                    CachePath = cfg.Cache is null ? null : Writable(cfg.Cache),
                    Interrupt = ctrlC.Token,
                };
                writer.WriteLine($"== {entry.Model} ({spec.DType.Name()}{(spec.DTypeChoice?.Requested == "auto" ? ", auto" : "")}) on {string.Join(", ", cfg.Tasks)}");
                bool headerDone = false;
                spec = spec with
                {
                    TaskFinished = result =>
                    {
                        if (!headerDone) { ResultsTable.WriteHeader(writer); headerDone = true; }
                        ResultsTable.WriteRows(writer, result);
                    },
                };
                var job = EvalJob.Run(spec, parse.InvocationConfiguration.Error, ConsoleProgress.ForStderr);
                all.AddRange(job);
                runDirs.Add(job.RunDirectory);
            }
            writer.WriteLine($"results: {DisplayPath.Of(outputDir)} (summary.csv; this run: {string.Join(", ", runDirs.Select(d => Path.GetRelativePath(outputDir, d)))}/<task>.json, .samples.jsonl)");
            // After every result is written: the leaderboard and plots of the results folder, with this run's results
            // for the models it ran (other models: their latest runs).
            var everything = SmallLlm.Eval.Reports.ResultSets.ResultFileReader.ReadAll(outputDir);
            var mine = runDirs.Select(Path.GetFullPath).ToHashSet();
            var thisRunModels = everything.Files.Where(f => mine.Contains(Path.GetDirectoryName(Path.GetFullPath(f.Path))!)).Select(f => f.ModelDirectory).ToHashSet();
            var set = SmallLlm.Eval.Reports.ResultSets.RunSelection.Select(everything with
            {
                Files = everything.Files.Where(f => !thisRunModels.Contains(f.ModelDirectory) || mine.Contains(Path.GetDirectoryName(Path.GetFullPath(f.Path))!)).ToList(),
            });
            foreach (string w in set.Warnings) parse.InvocationConfiguration.Error.WriteLine("warning: " + w);
            var written = SmallLlm.Eval.Reports.Leaderboards.LeaderboardFiles.Write(SmallLlm.Eval.Reports.Leaderboards.Leaderboard.Build(set), outputDir);
            writer.WriteLine($"leaderboard: {string.Join(", ", written.Select(p => Path.GetRelativePath(outputDir, p)))}");
            if (asJson)
                parse.InvocationConfiguration.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    results = all,
                    run_directories = runDirs.Select(Path.GetFullPath),
                    leaderboard = written.Select(Path.GetFullPath),
                }, CliJson.Options));
            return 0;
        });
        return command;
    }
}
