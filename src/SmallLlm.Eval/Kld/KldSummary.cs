using System.Text.Json.Serialization;

namespace SmallLlm.Eval.Kld;

/// <summary>One document's (or the whole corpus's) comparison of a model with its base.</summary>
public sealed record KldSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("mean_kld")] double MeanKld,
    [property: JsonPropertyName("mean_kld_stderr")] double MeanKldStderr,
    [property: JsonPropertyName("kld_median")] double Median,
    [property: JsonPropertyName("kld_p90")] double P90,
    [property: JsonPropertyName("kld_p95")] double P95,
    [property: JsonPropertyName("kld_p99")] double P99,
    [property: JsonPropertyName("kld_p999")] double P999,
    [property: JsonPropertyName("kld_max")] double Max,
    [property: JsonPropertyName("top1_agreement")] double Top1Agreement,
    [property: JsonPropertyName("mean_abs_dp_top")] double MeanAbsDeltaP,
    [property: JsonPropertyName("max_abs_dp_top")] double MaxAbsDeltaP,
    [property: JsonPropertyName("ppl_base")] double PplBase,
    [property: JsonPropertyName("ppl_model")] double PplModel,
    [property: JsonPropertyName("ppl_ratio")] double PplRatio);
