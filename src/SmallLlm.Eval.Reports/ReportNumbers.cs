using System.Globalization;

namespace SmallLlm.Eval.Reports;

/// <summary>How every report (leaderboards, kld section, gate) writes a number, so they agree digit for digit.</summary>
public static class ReportNumbers
{
    /// <summary>Four decimals below 100, two above; scientific from a million up and below 1e-4 (small KLDs, p-values); NaN and ±Inf named.</summary>
    public static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "+Inf" : "-Inf")
        : v != 0 && (Math.Abs(v) >= 1e6 || Math.Abs(v) < 1e-4) ? v.ToString("0.00e+0", CultureInfo.InvariantCulture)
        : v.ToString(Math.Abs(v) >= 100 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);
}
