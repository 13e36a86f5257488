using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Kld;
using SmallLlm.Eval.LlamaCpp;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.Plots;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval kld</c>: how far a model's next-token distributions drift from a base model's (quantization quality).</summary>
public static class KldCommand
{
    public static Command Create()
    {
        var baseModel = new Option<string>("--base") { Description = "Base model (any backend: bundled name, HF folder, .bin, .gguf).", Required = true };
        var model = new Option<string>("--model") { Description = "Model compared with the base (same tokenizer required).", Required = true };
        var data = new Option<string?>("--data") { Description = $"Text file, folder of text files (each one document) or perplexity task name (default {KldCorpus.DefaultTask})." };
        var limit = new Option<int?>("--limit") { Description = "At most N context windows (chunks), as llama-perplexity's --chunks." };
        var plot = new Option<string?>("--plot") { Description = "Write the KLD histogram here (PNG + SVG stem; default none)." };
        var maxKld = new Option<double?>("--max-mean-kld") { Description = "Gate: exit 1 when the mean KLD is above this (a quantized release must not drift further; as `check --max kld.mean_kld=X`)." };
        var minTop1 = new Option<double?>("--min-top1-agreement") { Description = "Gate: exit 1 when top-1 agreement (0..1) is below this." };
        var outputDir = new Option<string>("--output", "-o") { Description = "Results folder: the comparison is filed as task 'kld' of --model, <output>/<model-id>/<run-id>/kld.json (+ per-document samples), for the leaderboard and `smalleval check`.", DefaultValueFactory = _ => "results" };
        var fast = ModelBackends.FastOption();
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer name or file for a checkpoint that brings none (a llama2.c .bin, e.g. tok512); a GGUF file uses its own vocabulary." };
        var json = ModelOptions.Json();
        var command = new Command("kld", "KL divergence of a model's next-token distributions from a base model's (llama-perplexity --kl-divergence): mean ± stderr, percentiles, top-1 agreement, |Δp| of the base's top token, perplexity of both; per document and overall. Streaming: memory stays bounded by one context window.")
        {
            baseModel, model, data, limit, outputDir, plot, fast, tokenizer, json, maxKld, minTop1,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(limit) is < 1) throw new ArgumentException("--limit must be at least 1");
            var started = DateTime.UtcNow;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var docs = KldCorpus.Read(parse.GetValue(data), ProjectPaths.TasksDirectory(null));
            var (aModel, a) = Open(parse.GetValue(baseModel)!, parse.GetValue(fast), parse.GetValue(tokenizer));
            using var aOwned = a;
            var (bModel, b) = Open(parse.GetValue(model)!, parse.GetValue(fast), parse.GetValue(tokenizer));
            using var bOwned = b;
            var report = KldComparison.Run(a, b, docs, parse.GetValue(limit));
            string resultFile = KldResult.Write(parse.GetValue(outputDir)!, new KldResult.Run(aModel.Identity, bModel.Identity, bModel.ContextLength,
                b.VocabSize, Math.Min(a.ContextLength, b.ContextLength), parse.GetValue(data) ?? KldCorpus.DefaultTask, parse.GetValue(limit),
                docs, report, started, clock.Elapsed.TotalSeconds));
            var output = parse.InvocationConfiguration.Output;
            string? png = parse.GetValue(plot) is { } stem ? KldHistogramPlot.Save(report.Values, $"KLD of {b.Name} from {a.Name}", stem) : null;
            if (parse.GetValue(json))
            {
                var o = report.Overall;
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    @base = parse.GetValue(baseModel), model = parse.GetValue(model), tokens = o.Tokens,
                    mean_kld = o.MeanKld, mean_kld_stderr = o.MeanKldStderr, kld_median = o.Median, kld_p90 = o.P90, kld_p95 = o.P95,
                    kld_p99 = o.P99, kld_p999 = o.P999, kld_max = o.Max, top1_agreement = o.Top1Agreement,
                    mean_abs_dp_top = o.MeanAbsDeltaP, max_abs_dp_top = o.MaxAbsDeltaP, ppl_base = o.PplBase, ppl_model = o.PplModel,
                    ppl_ratio = o.PplRatio, documents = report.Documents, plot = png, result = resultFile,
                }, CliJson.Options));
                return Gate(resultFile, parse.GetValue(maxKld), parse.GetValue(minTop1), parse.InvocationConfiguration.Error);
            }
            output.WriteLine($"KL divergence of {b.Name} from {a.Name}, {report.Overall.Tokens:N0} tokens in {report.Documents.Count} document(s)");
            output.WriteLine("| document | tokens | mean KLD ± stderr | median | p90 | p95 | p99 | p99.9 | max | top-1 agree | mean/max |Δp| | ppl base | ppl model | ratio |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var s in report.Documents.Append(report.Overall))
                output.WriteLine($"| {s.Name} | {s.Tokens:N0} | {s.MeanKld:G4} ± {s.MeanKldStderr:G2} | {s.Median:G3} | {s.P90:G3} | {s.P95:G3} | {s.P99:G3} | {s.P999:G3} | {s.Max:G3} | {s.Top1Agreement:P2} | {s.MeanAbsDeltaP:G3}/{s.MaxAbsDeltaP:G3} | {s.PplBase:F4} | {s.PplModel:F4} | {s.PplRatio:F5} |");
            if (png is not null) output.WriteLine($"plot: {png}");
            output.WriteLine($"result: {resultFile}");
            return Gate(resultFile, parse.GetValue(maxKld), parse.GetValue(minTop1), parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>0 when the limits hold, 1 (a failed check, as `smalleval check --max/--min` on the result) with the reason otherwise.</summary>
    private static int Gate(string resultFile, double? maxKld, double? minTop1, TextWriter error)
    {
        var limits = new List<MetricLimit>();
        if (maxKld is double k) limits.Add(new MetricLimit(KldResult.TaskName, "mean_kld", IsMax: true, k));
        if (minTop1 is double t) limits.Add(new MetricLimit(KldResult.TaskName, "top1_agreement", IsMax: false, t));
        var checks = MetricLimits.Check(new ResultSet(resultFile, [ResultFileReader.ReadFile(resultFile)], []), limits, []);
        foreach (var c in checks.Where(c => c.Failed)) error.WriteLine($"check failed: {c.Metric} {c.Reason}");
        return checks.Any(c => c.Failed) ? 1 : 0;
    }

    /// <summary>The model (its identity goes into the result) and its full distributions (which own and dispose it).</summary>
    /// <param name="tokenizer">--tokenizer, for checkpoints that bring none (a llama2.c .bin); GGUF files use their own.</param>
    private static (ILanguageModel Model, ITokenDistributions Distributions) Open(string path, bool fast, string? tokenizer)
    {
        var spec = ModelSpec.Parse(path);
        if (spec is ModelSpec.Remote)
            throw spec.Lacks("the full next-token distribution at every position (kld needs it; an OpenAI-compatible server returns at most the top 20 log-probabilities per token)",
                "compare the checkpoint or GGUF file the server runs instead");
        var loaded = ModelBackends.Load(spec, "auto", fast && spec is ModelSpec.Gguf, tokenizer: spec is ModelSpec.Gguf ? null : tokenizer);
        return (loaded, loaded switch
        {
            LocalLanguageModel local => new TorchTokenDistributions(local),
            LlamaCppLanguageModel cpp => new LlamaCppTokenDistributions(cpp),
            var other => throw new ArgumentException($"{path}: backend {other.Identity.Backend} cannot give full distributions"),
        });
    }
}
