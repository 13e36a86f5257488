using System.CommandLine;
using System.Globalization;
using SmallLlm.Eval.Reports;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.Plots;
using SmallLlm.Eval.Reports.ResultSets;
using SmallLlm.Eval.Reports.Sweeps;
using SmallLlm.Eval.Runner;

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
        var checkpoints = new Option<string>("--checkpoints") { Description = "Folder of checkpoints: sub-folders (Hugging Face) or files (.bin/.safetensors/.gguf), ordered by the step in their names or their trainer_state.json/metadata.json.", Required = true };
        var tasks = TaskOptions.Tasks("Comma-separated task names, e.g. arc_easy,mmlu.");
        var tokensPerStep = new Option<long?>("--tokens-per-step") { Description = "Training tokens per step (batch × sequence length), for the tokens axis and the Chinchilla point when checkpoints do not record tokens." };
        var server = new Option<string?>("--server") { Description = "Score on an OpenAI-compatible server (openai-completions:http://HOST:PORT/v1) that serves every checkpoint under its name (folder or file name); steps and tokenizers still come from the checkpoint folder." };
        var output = new Option<string>("--output", "-o", "--output_path") { Description = "Sweep folder: one results set per checkpoint (<output>/<model-id>/<run-id>/<task>.json, as eval writes), sweep.csv, sweep.png/.svg and the checkpoints' leaderboard.*.", DefaultValueFactory = _ => Path.Combine("results", "sweep") };
        var cache = new Option<string?>("--cache") { Description = "Request cache shared by all checkpoints (default <output>/.cache/requests.sqlite)." };
        var evalOptions = new EvalOptions();
        var loading = new ModelLoadOptions();
        var command = new Command("sweep", "Evaluate every checkpoint of a training run (in step order) and plot the metrics against training tokens, with the Chinchilla-optimal point (20 tokens per parameter) marked.")
        {
            checkpoints, tasks, tokensPerStep, server, output, cache,
        };
        evalOptions.AddTo(command);
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            string outputDir = parse.GetValue(output)!;
            string? url = parse.GetValue(server);
            if (url is not null && !Remote.RemoteOptions.IsRemote(url)) throw new ArgumentException($"--server {url}: expected openai-completions:http://HOST:PORT/v1");
            evalOptions.WriteNotes(parse);
            var series = CheckpointSeries.Find(parse.GetValue(checkpoints)!, parse.GetValue(tokensPerStep));
            var taskNames = TaskOptions.ParseTasks(parse.GetValue(tasks)!);
            var writer = parse.InvocationConfiguration.Output;
            var log = parse.InvocationConfiguration.Error;
            var entries = new List<SweepManifest.Entry>();
            foreach (var checkpoint in series)
            {
                log.WriteLine($"== {checkpoint.Name}: step {checkpoint.Step} (from {checkpoint.StepSource})" + (checkpoint.Tokens is long t ? $", {t:N0} tokens" : ""));
                var job = evalOptions.Job(parse, url ?? checkpoint.Path, taskNames, outputDir) with
                {
                    CachePath = parse.GetValue(cache) ?? Path.Combine(outputDir, ".cache", "requests.sqlite"),
                };
                job = loading.Apply(parse, job, remoteModel: checkpoint.Name);
                // On a server the checkpoint's own tokenizer splits the prompts, as it does in-process.
                if (url is not null && job.Tokenizer is null) job = job with { Tokenizer = TokenizerPath(checkpoint.Path) };
                var results = EvalJob.Run(job, log, ConsoleProgress.ForStderr);
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

    /// <summary>The tokenizer a checkpoint brings: its folder (or the folder of a checkpoint file).</summary>
    private static string TokenizerPath(string checkpoint) =>
        Directory.Exists(checkpoint) ? checkpoint : Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;

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
