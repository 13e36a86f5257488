using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>One `smalleval kld` run: a model's drift from its base model (lower mean KLD, higher top-1 agreement is closer).</summary>
public sealed record KldRow(string Model, string DType, string Base, string Data, string? Limit, ResultMetric MeanKld,
    ResultMetric? Top1Agreement, ResultMetric? P99, ResultMetric? PplRatio, ResultFile File);

/// <summary>
/// The leaderboard's kld section: runs of task "kld" (what a quantization or other change costs against a base model)
/// do not rank with task scores (they are relative to a base, which has none), so they get a table of their own,
/// grouped by base model and data (only those compare), closest first.
/// </summary>
public static class KldSection
{
    public const string Task = "kld";

    public static bool IsKld(ResultFile f) => f.Task == Task;

    public static IReadOnlyList<KldRow> Build(IEnumerable<ResultFile> files) =>
        files.Where(IsKld).Where(f => f.Metrics.ContainsKey("mean_kld"))
            .Select(f => new KldRow(f.Model, f.DType, f.Setting("base_model") ?? "?", Data(f), f.Setting("limit"), f.Metrics["mean_kld"],
                f.Metrics.GetValueOrDefault("top1_agreement"), f.Metrics.GetValueOrDefault("kld_p99"), f.Metrics.GetValueOrDefault("ppl_ratio"), f))
            .OrderBy(r => r.Base, StringComparer.Ordinal).ThenBy(r => RunComparison.Signature(r.File), StringComparer.Ordinal)
            .ThenBy(r => double.IsNaN(r.MeanKld.Value) ? double.PositiveInfinity : r.MeanKld.Value).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ToList();

    /// <summary>The perplexity task compared on, or the file/folder name and the data's hash.</summary>
    private static string Data(ResultFile f) =>
        f.Setting("data_dir") is string d ? $"{Path.GetFileName(d.TrimEnd('/', '\\'))} {f.DataSha256[..Math.Min(8, f.DataSha256.Length)]}" : f.Setting("data") ?? "";

    public static readonly string[] Headers = ["model", "dtype", "base", "data", "limit", "tokens", "mean KLD ↓", "KLD p99 ↓", "top-1 agreement ↑", "ppl ratio"];

    /// <summary>The cells of a row as the markdown and HTML tables show them.</summary>
    public static string[] Cells(KldRow r) =>
    [
        r.Model, r.DType, r.Base, r.Data, r.Limit is null or "null" ? "all" : r.Limit, r.MeanKld.N.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        WithError(r.MeanKld), r.P99 is null ? "—" : ReportNumbers.Format(r.P99.Value), r.Top1Agreement is null ? "—" : WithError(r.Top1Agreement),
        r.PplRatio is null ? "—" : ReportNumbers.Format(r.PplRatio.Value),
    ];

    private static string WithError(ResultMetric m) => ReportNumbers.Format(m.Value) + (m.Stderr is double se ? " ± " + ReportNumbers.Format(se) : "");

    public const string Legend = "KL divergence of each model's next-token distributions from its base model's (`smalleval kld`), mean ± one standard error over token positions; top-1 agreement: how often both models' most likely next token is the same; ppl ratio: the model's perplexity over the base's on the same tokens. Only rows with the same base and data compare.";
}
