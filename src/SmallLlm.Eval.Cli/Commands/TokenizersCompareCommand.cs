using System.CommandLine;
using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval tokenizers compare</c>: token counts of corpora under several tokenizers.</summary>
public static class TokenizersCompareCommand
{
    public static readonly string[] DefaultTokenizers = ["llama2", "llama3", "cl100k_base", "o200k_base"];

    public static Command Create()
    {
        var tokenizers = new Option<string[]>("--tokenizer", "-t")
        {
            Description = "Tokenizers to compare (repeat the option); changes are against the first. Default: " + string.Join(", ", DefaultTokenizers),
            DefaultValueFactory = _ => DefaultTokenizers,
        };
        var corpora = new Option<string[]>("--corpus", "-c")
        {
            Description = "A text file or a folder of text files, searched recursively (repeat the option). Default: the bundled corpora in tasks/tokenizer_compression/corpora.",
        };
        var format = new Option<string>("--format") { Description = "md, csv or json.", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("md", "csv", "json");
        var plot = new Option<string?>("--plot") { Description = "Write a bar chart of tokens per byte to this PNG (and a per-language chart beside it for corpora of many languages)." };
        var outputDir = new Option<string?>("--output", "-o") { Description = "Also write compare.md, compare.csv, compare.json and compare.png into this folder." };
        var threads = new Option<int?>("--threads") { Description = "Counting threads (default: all cores)." };
        var noProgress = new Option<bool>("--no-progress") { Description = "Do not show the progress line on stderr." };
        var perFile = new Option<bool>("--per-file") { Description = "md: a row for every file (default: folder and corpus totals only; csv and json always have every file)." };
        var top = new Option<int>("--top") { Description = "Per-language charts: the N groups with the most bytes.", DefaultValueFactory = _ => 30 };
        var command = new Command("compare", "Bytes, characters, words and tokens per corpus and tokenizer; bytes per token, tokens per word, change in percent, effective context. Large corpora stream; all cores count.")
        {
            tokenizers, corpora, format, plot, outputDir, threads, noProgress, perFile, top,
        };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(tokenizers) is { Length: > 0 } given ? given : DefaultTokenizers;
            var loaded = names.Select(TokenizerCatalog.Resolve).ToArray();
            var paths = parse.GetValue(corpora) is { Length: > 0 } c ? c : DefaultCorpora();
            var counter = new CorpusCounter(loaded, parse.GetValue(threads));
            var error = parse.InvocationConfiguration.Error;
            using var bar = parse.GetValue(noProgress) ? null : new TokenizersProgressLine(error);
            var report = counter.Count(paths, bar);
            bar?.Finish();

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(top) < 1) throw new ArgumentException("--top must be at least 1");
            output.Write(Render(report, parse.GetValue(format)!, parse.GetValue(perFile)));
            if (parse.GetValue(plot) is { } png) foreach (string written in TokenizersCharts.Save(report, png, parse.GetValue(top))) error.WriteLine($"wrote {written}");
            if (parse.GetValue(outputDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                foreach (var f in new[] { "md", "csv", "json" })
                    AtomicFile.WriteText(Path.Combine(dir, "compare." + f), Render(report, f, perFile: true));
                var charts = TokenizersCharts.Save(report, Path.Combine(dir, "compare.png"), parse.GetValue(top));
                error.WriteLine($"wrote compare.md, compare.csv, compare.json, {string.Join(", ", charts.Select(Path.GetFileName))} to {dir}");
            }
            return 0;
        });
        return command;
    }

    private static string Render(CompressionReport report, string format, bool perFile) => format switch
    {
        "csv" => CompressionFormats.Csv(report),
        "json" => CompressionFormats.Json(report),
        _ => CompressionFormats.Markdown(report, perFile),
    };

    /// <summary>Each folder of tasks/tokenizer_compression/corpora, found above the working folder or the program.</summary>
    public static string[] DefaultCorpora()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tasks", "tokenizer_compression", "corpora");
                if (Directory.Exists(candidate))
                    return Directory.GetDirectories(candidate).Order(StringComparer.Ordinal)
                        .Select(d => Path.GetRelativePath(Directory.GetCurrentDirectory(), d)).ToArray();
            }
        }
        throw new FileNotFoundException("no --corpus given and the bundled corpora (tasks/tokenizer_compression/corpora) were not found above the working folder");
    }
}
