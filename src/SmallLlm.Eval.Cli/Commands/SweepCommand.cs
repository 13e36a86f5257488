using System.CommandLine;
using System.Globalization;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Reports;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.Plots;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Sweeps;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>
/// <c>smalleval sweep</c>: evaluates every checkpoint of a training run in step order (one results set per
/// checkpoint, one shared request cache so a rerun or an added task recomputes nothing already scored), then writes
/// sweep.csv, the sweep plot and a leaderboard of the checkpoints.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string>("--checkpoints") { Description = "Folder of checkpoints: sub-folders (Hugging Face) or files (.bin/.safetensors), ordered by the step in their names or their trainer_state.json/metadata.json.", Required = true };
        var tasks = TaskOptions.Tasks("Comma-separated task names, e.g. arc_easy,mmlu.");
        var tokensPerStep = new Option<long?>("--tokens-per-step") { Description = "Training tokens per step (batch × sequence length), for the tokens axis and the Chinchilla point when checkpoints do not record tokens." };
        var limit = TaskOptions.Limit("At most N documents per task (per subject for MMLU).");
        var shots = TaskOptions.NumFewshot("Few-shot examples per prompt (default: each task's own).");
        var subjects = new Option<string?>("--subjects") { Description = "MMLU only: comma-separated subjects." };
        var dtype = ModelOptions.DType();
        var tokenizer = ModelOptions.Tokenizer();
        var batch = TaskOptions.BatchSize();
        var output = new Option<string>("--output", "-o", "--output_path") { Description = "Sweep folder: <output>/<checkpoint>/<task>.json, sweep.csv, sweep.png/.svg, leaderboard.*.", DefaultValueFactory = _ => Path.Combine("results", "sweep") };
        var cache = new Option<string?>("--cache") { Description = "Request cache shared by all checkpoints (default <output>/.cache/requests.sqlite)." };
        var tasksDir = new Option<string?>("--tasks-dir") { Description = "Folder of task definitions (default: the repository's tasks/)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for anything random.", DefaultValueFactory = _ => 1234UL };
        var command = new Command("sweep", "Evaluate every checkpoint of a training run (in step order) and plot the metrics against training tokens, with the Chinchilla-optimal point (20 tokens per parameter) marked.")
        {
            checkpoints, tasks, tokensPerStep, limit, shots, subjects, dtype, tokenizer, batch, output, cache, tasksDir, seed,
        };
        command.SetAction(parse =>
        {
            string outputDir = parse.GetValue(output)!;
            var series = CheckpointSeries.Find(parse.GetValue(checkpoints)!, parse.GetValue(tokensPerStep));
            var (limitCount, limitFraction) = TaskOptions.ParseLimit(parse.GetValue(limit));
            var options = new Dictionary<string, string>();
            if (parse.GetValue(subjects) is string s) options["subjects"] = s;
            var settings = new TaskSettings { NumFewshot = parse.GetValue(shots), Limit = limitCount, Seed = parse.GetValue(seed), Options = options };
            var taskNames = TaskOptions.ParseTasks(parse.GetValue(tasks)!);
            var writer = parse.InvocationConfiguration.Output;
            var log = parse.InvocationConfiguration.Error;
            var entries = new List<SweepManifest.Entry>();
            foreach (var checkpoint in series)
            {
                log.WriteLine($"== {checkpoint.Name}: step {checkpoint.Step} (from {checkpoint.StepSource})" + (checkpoint.Tokens is long t ? $", {t:N0} tokens" : ""));
                var results = EvalJob.Run(new EvalJobSpec
                {
                    Model = checkpoint.Path,
                    DType = ModelOptions.ResolveDType(parse.GetValue(dtype)!, checkpoint.Path).DType,
                    DTypeChoice = ModelOptions.ResolveDType(parse.GetValue(dtype)!, checkpoint.Path),
                    Tokenizer = parse.GetValue(tokenizer),
                    Tasks = taskNames,
                    TasksDirectory = ProjectPaths.TasksDirectory(parse.GetValue(tasksDir)),
                    BatchSize = parse.GetValue(batch)!,
                    OutputDirectory = outputDir,
                    CachePath = parse.GetValue(cache) ?? Path.Combine(outputDir, ".cache", "requests.sqlite"),
                    SettingsFor = _ => settings,
                    LimitFraction = limitFraction,
                }, log, ConsoleProgress.ForStderr);
                entries.Add(new SweepManifest.Entry(checkpoint.Name, checkpoint.Step, checkpoint.Tokens, results.ModelId, Path.GetFullPath(checkpoint.Path)));
            }
            var set = ResultFileReader.Read(outputDir);
            SweepManifest.Write(outputDir, entries, set);
            string plot = SweepPlot.Save(entries, set, Path.Combine(outputDir, "sweep"));
            var board = Leaderboard.Build(set);
            LeaderboardFiles.Write(board, outputDir);
            WriteTable(writer, entries, set);
            writer.WriteLine($"sweep: {entries.Count} checkpoints; {Path.GetFullPath(plot)} (and .svg), {Path.Combine(Path.GetFullPath(outputDir), SweepManifest.FileName)}, leaderboard.md/.csv/.html");
            return 0;
        });
        return command;
    }

    private static void WriteTable(TextWriter writer, IReadOnlyList<SweepManifest.Entry> entries, ResultSet set)
    {
        var tasks = set.Tasks.ToList();
        writer.WriteLine("| checkpoint | step | tokens | " + string.Join(" | ", tasks.Select(t => $"{t} {MetricKinds.Headline(set.Files.First(f => f.Task == t).Metrics)}")) + " |");
        writer.WriteLine("|---|---:|---:|" + string.Concat(tasks.Select(_ => "---:|")));
        foreach (var e in entries)
        {
            var cells = tasks.Select(t =>
            {
                var f = set.Files.FirstOrDefault(f => f.ModelId == e.Model && f.Task == t);
                if (f is null) return "—";
                var m = f.Metrics[MetricKinds.Headline(f.Metrics)];
                return ReportNumbers.Format(m.Value) + (m.Stderr is double se ? " ± " + ReportNumbers.Format(se) : "");
            });
            writer.WriteLine($"| {e.Checkpoint} | {e.Step} | {e.Tokens?.ToString("N0", CultureInfo.InvariantCulture) ?? ""} | {string.Join(" | ", cells)} |");
        }
    }
}
