using System.Security.Cryptography;
using System.Text;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Kld;

/// <summary>
/// Files a `smalleval kld` comparison as a run of the compared model, task "kld", in the results layout
/// (<c>&lt;output&gt;/&lt;model-id&gt;/&lt;run-id&gt;/kld.json</c> and per-document samples, written atomically), so the
/// leaderboard shows it and `smalleval check` gates on it. The base model's identity is part of the task settings: two
/// kld runs against different bases (or on other data) are not comparable.
/// </summary>
public static class KldResult
{
    public const string TaskName = "kld";
    /// <summary>1: KLD of the model from the base, disjoint full-context windows, every position scored.</summary>
    public const string TaskVersion = "1";

    /// <summary>Every metric the file reports, with its direction; mean_kld is the headline.</summary>
    public static readonly IReadOnlyList<(string Name, MetricDeclaration Declaration)> Declared =
    [
        ("mean_kld", Lower("mean")), ("top1_agreement", new(true, "mean", true, null)),
        ("kld_median", Lower("percentile")), ("kld_p90", Lower("percentile")), ("kld_p95", Lower("percentile")),
        ("kld_p99", Lower("percentile")), ("kld_p999", Lower("percentile")), ("kld_max", Lower("max")),
        ("mean_abs_dp_top", Lower("mean")), ("max_abs_dp_top", Lower("max")),
        ("ppl_base", Lower("corpus_loglikelihood_per_unit")), ("ppl_model", Lower("corpus_loglikelihood_per_unit")),
        ("ppl_ratio", Lower("ratio")),
    ];

    private static MetricDeclaration Lower(string aggregation) => new(false, aggregation, false, null);

    /// <summary>What was compared, beside the two models.</summary>
    /// <param name="Data">The --data argument as given (a perplexity task name, or a file/folder path).</param>
    public sealed record Run(ModelIdentity Base, ModelIdentity Model, int ModelContextLength, int VocabSize, int Context,
        string Data, int? Limit, IReadOnlyList<(string Name, string Text)> Documents, KldReport Report, DateTime StartedUtc, double WallSeconds);

    /// <summary>Writes the run folder; returns the result file's path.</summary>
    public static string Write(string outputDir, Run run)
    {
        ResultFiles.RemoveStaleTemporaries(outputDir);
        var result = Build(run);
        string runDir = RunFolders.CreateRun(outputDir, RunFolders.ModelId(run.Model), run.StartedUtc);
        ResultFiles.Write(runDir, result, Samples(run.Report));
        RunFolders.MarkLatest(runDir);
        ResultFiles.WriteSummaryCsv(outputDir);
        return Path.Combine(runDir, TaskName + ".json");
    }

    public static TaskResult Build(Run run)
    {
        var o = run.Report.Overall;
        long n = o.Tokens;
        int count = (int)Math.Min(n, int.MaxValue);
        MetricValue M(double v, double? se = null) => new(v, se, count);
        var metrics = new Dictionary<string, MetricValue>
        {
            ["mean_kld"] = M(o.MeanKld, o.MeanKldStderr),
            // Binomial standard error over positions (llama-perplexity reports the same).
            ["top1_agreement"] = M(o.Top1Agreement, n > 1 ? Math.Sqrt(o.Top1Agreement * (1 - o.Top1Agreement) / (n - 1)) : null),
            ["kld_median"] = M(o.Median), ["kld_p90"] = M(o.P90), ["kld_p95"] = M(o.P95), ["kld_p99"] = M(o.P99),
            ["kld_p999"] = M(o.P999), ["kld_max"] = M(o.Max),
            ["mean_abs_dp_top"] = M(o.MeanAbsDeltaP), ["max_abs_dp_top"] = M(o.MaxAbsDeltaP),
            ["ppl_base"] = M(o.PplBase), ["ppl_model"] = M(o.PplModel), ["ppl_ratio"] = M(o.PplRatio),
        };
        var b = run.Base;
        bool isFile = File.Exists(run.Data) || Directory.Exists(run.Data);
        var settings = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["base_model"] = b.Name, ["base_model_id"] = RunFolders.ModelId(b), ["base_weights_sha256"] = b.WeightsSha256,
            ["base_dtype"] = b.DType, ["base_backend"] = b.Backend, ["base_backend_settings"] = b.BackendSettings,
            ["base_tokenizer"] = b.Tokenizer, ["context"] = run.Context, ["limit"] = run.Limit,
            // A task's data is named; a file or folder is recorded like --data-dir (where it lay does not matter, its hash does).
            ["data"] = isFile ? "files" : run.Data,
        };
        if (isFile) settings["data_dir"] = Path.GetFullPath(run.Data);
        var m = run.Model;
        return new TaskResult
        {
            Task = new TaskInfo(TaskName, TaskVersion, DataSha256(run.Documents), settings),
            Model = new ModelInfo(m.Name, m.Path, m.WeightsSha256, m.DType, m.Parameters, run.ModelContextLength, m.Tokenizer, m.AddBos,
                m.RollingStride, m.Backend, m.BackendSettings, run.VocabSize),
            Harness = HarnessVersion.Current,
            Metrics = metrics,
            MetricDeclarations = MetricDeclarations.For(TaskName, metrics, Declared),
            Counts = new Dictionary<string, long> { ["documents"] = run.Report.Documents.Count, ["tokens"] = n },
            SamplesFile = TaskName + ".samples.jsonl",
            Timing = new TimingInfo(run.StartedUtc, run.WallSeconds, run.WallSeconds, n, run.WallSeconds > 0 ? n / run.WallSeconds : 0, 0, 0, 0),
        };
    }

    /// <summary>One record per document: its figures, so two runs can be compared document by document.</summary>
    private static IEnumerable<IReadOnlyDictionary<string, object?>> Samples(KldReport report) =>
        report.Documents.Select((d, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["doc_id"] = i, ["source"] = SampleSource.Portable(d.Name), ["tokens"] = d.Tokens, ["mean_kld"] = d.MeanKld,
            ["mean_kld_stderr"] = d.MeanKldStderr, ["kld_p99"] = d.P99, ["kld_max"] = d.Max, ["top1_agreement"] = d.Top1Agreement,
            ["ppl_base"] = d.PplBase, ["ppl_model"] = d.PplModel,
        });

    /// <summary>Hash of the documents' texts in order (not their paths): the same text is the same data wherever it lies.</summary>
    private static string DataSha256(IReadOnlyList<(string Name, string Text)> documents)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (_, text) in documents)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
