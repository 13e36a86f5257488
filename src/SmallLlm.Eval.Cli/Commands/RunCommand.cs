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
        var output = new Option<string?>("--output", "-o") { Description = "Override the config's results folder." };
        var command = new Command("run", "Run the configured evaluation (eval.config.json): by default the bundled stories260K on the bundled tasks, in a few minutes on 2 cores.")
        {
            config, output,
        };
        command.SetAction(parse =>
        {
            var cfg = EvalConfig.Read(parse.GetValue(config) ?? ProjectPaths.DefaultConfig());
            string outputDir = parse.GetValue(output) ?? cfg.Resolve(cfg.Output);
            var known = TaskRegistry.Load(cfg.Resolve(cfg.TasksDir)).Definitions.Select(d => d.Name).ToHashSet();
            var unknown = cfg.TaskSettings.Keys.Where(t => !known.Contains(t)).ToList();
            if (unknown.Count > 0)
                throw new InvalidDataException($"{parse.GetValue(config) ?? ProjectPaths.DefaultConfig()}: task_settings names unknown task(s) {string.Join(", ", unknown)}: known tasks are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            var writer = parse.InvocationConfiguration.Output;
            var all = new List<TaskResult>();
            using var ctrlC = new CtrlC(parse.InvocationConfiguration.Error);
            foreach (var entry in cfg.Models)
            {
                var dtype = ModelOptions.ResolveDType(entry.DType, entry.Model);
                writer.WriteLine($"== {entry.Model} ({dtype.DType.Name()}{(dtype.Requested == "auto" ? ", auto" : "")}) on {string.Join(", ", cfg.Tasks)}");
                var spec = new EvalJobSpec
                {
                    Model = entry.Model,
                    DType = dtype.DType,
                    DTypeChoice = dtype,
                    Tokenizer = entry.Tokenizer,
                    Tasks = cfg.Tasks,
                    TasksDirectory = cfg.Resolve(cfg.TasksDir),
                    PluginsDirectory = cfg.Resolve(cfg.Plugins),
                    BatchSize = cfg.BatchSize,
                    OutputDirectory = outputDir,
                    CachePath = cfg.Cache is null ? null : cfg.Resolve(cfg.Cache),
                    Interrupt = ctrlC.Token,
                    LoadModel = ModelBackends.JobLoader(entry.Model, "auto", fast: false),
                    SettingsFor = task =>
                    {
                        var o = cfg.TaskSettings.GetValueOrDefault(task) ?? new TaskOverride();
                        return new TaskSettings { NumFewshot = o.NumFewshot ?? cfg.NumFewshot, Limit = o.Limit ?? cfg.Limit, Seed = cfg.Seed, Options = o.Options };
                    },
                };
                all.AddRange(EvalJob.Run(spec, parse.InvocationConfiguration.Error, ConsoleProgress.ForStderr));
            }
            ResultsTable.Write(writer, all);
            writer.WriteLine($"results: {Path.GetFullPath(outputDir)} (summary.csv, <model>/<task>.json, <model>/<task>.samples.jsonl)");
            // After every result is written: the leaderboard and plots of the whole results folder.
            var set = SmallLlm.Eval.Reports.ResultSets.ResultFileReader.Read(outputDir);
            foreach (string w in set.Warnings) parse.InvocationConfiguration.Error.WriteLine("warning: " + w);
            var written = SmallLlm.Eval.Reports.Leaderboards.LeaderboardFiles.Write(SmallLlm.Eval.Reports.Leaderboards.Leaderboard.Build(set), outputDir);
            writer.WriteLine($"leaderboard: {string.Join(", ", written.Select(p => Path.GetRelativePath(outputDir, p)))}");
            return 0;
        });
        return command;
    }
}
