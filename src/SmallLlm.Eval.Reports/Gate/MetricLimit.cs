using System.Globalization;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// An absolute bound a metric must hold, whatever a baseline did: <c>kld.mean_kld</c> at most 0.02 (a quantized release
/// must not drift further from its base), <c>kld.top1_agreement</c> at least 0.9, <c>mmlu.acc</c> at least 0.25.
/// </summary>
public sealed record MetricLimit(string Task, string Metric, bool IsMax, double Value)
{
    /// <summary>Parses "TASK.METRIC=VALUE" (the metric's name may hold dots; the task's does not).</summary>
    public static MetricLimit Parse(string text, bool isMax, string where)
    {
        int eq = text.IndexOf('='), dot = text.IndexOf('.');
        if (eq < 0 || dot < 0 || dot > eq || dot == 0 || dot == eq - 1)
            throw new ArgumentException($"{where}: '{text}' is not TASK.METRIC=VALUE (e.g. kld.mean_kld=0.02)");
        string value = text[(eq + 1)..].Trim();
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new ArgumentException($"{where}: '{value}' in '{text}' is not a number");
        return new MetricLimit(text[..dot].Trim(), text[(dot + 1)..eq].Trim(), isMax, v);
    }

    public bool Holds(double value) => IsMax ? value <= Value : value >= Value; // NaN holds neither

    public override string ToString() => $"{(IsMax ? "≤" : "≥")} {ReportNumbers.Format(Value)}";
}
