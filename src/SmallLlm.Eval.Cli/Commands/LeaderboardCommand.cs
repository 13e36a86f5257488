using System.CommandLine;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval leaderboard</c>: one row per model, one column per task's headline metric, from results files only.</summary>
public static class LeaderboardCommand
{
    public static Command Create()
    {
        var results = new Option<string>("--results", "-r") { Description = "Results folder (searched recursively) or one results file.", DefaultValueFactory = _ => "results" };
        var format = new Option<string>("--format", "-f") { Description = "md, csv, html (embeds the plots) or json.", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("md", "csv", "html", "json");
        var json = ModelOptions.Json();
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout (html: plots go to <file's folder>/plots)." };
        var strict = new Option<bool>("--strict") { Description = "Fail on partial, corrupt or other-version results files instead of skipping them with a warning." };
        var runs = RunOptions.Runs();
        var command = new Command("leaderboard", "Leaderboard of the results under a folder: headline metric ± standard error per task, average, rank, and the settings (shots, dtype, limit); rows run with other settings are flagged, not ranked.")
        {
            results, format, output, strict, runs, json,
        };
        command.SetAction(parse =>
        {
            var set = ResultFileReader.Read(parse.GetValue(results)!, parse.GetValue(strict), RunOptions.Parse(parse.GetValue(runs)));
            foreach (string w in set.Warnings) parse.InvocationConfiguration.Error.WriteLine("warning: " + w);
            var board = Leaderboard.Build(set);
            string? file = parse.GetValue(output);
            string chosen = parse.GetValue(json) ? "json" : parse.GetValue(format)!;
            string text = chosen switch
            {
                "json" => LeaderboardJson.Render(board),
                "csv" => LeaderboardCsv.Render(board),
                "html" => LeaderboardHtml.Render(board, LeaderboardFiles.SavePlots(board,
                    Path.Combine(file is null ? Path.GetTempPath() : Path.GetDirectoryName(Path.GetFullPath(file))!, file is null ? $"smalleval-plots-{Environment.ProcessId}" : "plots"))),
                _ => LeaderboardMarkdown.Render(board),
            };
            // CSV is one table: the kld section goes to a file of its own beside it.
            string? kldCsv = chosen == "csv" ? LeaderboardCsv.RenderKld(board) : null;
            if (file is null)
            {
                parse.InvocationConfiguration.Output.Write(text);
                if (kldCsv is not null) parse.InvocationConfiguration.Error.WriteLine($"warning: the kld section ({board.Kld.Count} runs) is not in the CSV table: give -o FILE.csv (it then goes to FILE-kld.csv) or use --format md|html|json");
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
                Primitives.AtomicFile.WriteText(file, text);
                parse.InvocationConfiguration.Output.WriteLine($"wrote {file} ({board.Rows.Count} rows, {board.Columns.Count} tasks)");
                if (kldCsv is not null)
                {
                    string kldFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Path.GetFileNameWithoutExtension(file) + "-kld.csv");
                    Primitives.AtomicFile.WriteText(kldFile, kldCsv);
                    parse.InvocationConfiguration.Output.WriteLine($"wrote {kldFile} ({board.Kld.Count} kld runs)");
                }
            }
            return 0;
        });
        return command;
    }
}
