using System.Globalization;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>How far a metric may move the wrong way before it can fail: absolute ("0.02") or relative to the baseline ("5%").</summary>
public sealed record Tolerance(double Value, bool Relative)
{
    public static readonly Tolerance Zero = new(0, false) { Origin = "default (none configured)" };

    /// <summary>Where the value came from, printed beside every check: "bundled config …/eval.config.json", "--tolerance", ….</summary>
    public string Origin { get; init; } = "";

    public double AllowedDrop(double baseline) => Relative ? Math.Abs(baseline) * Value : Value;

    public static Tolerance Parse(string text, string where, string origin = "")
    {
        string t = text.Trim();
        bool relative = t.EndsWith('%');
        if (relative) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || double.IsNaN(v))
            throw new ArgumentException($"{where}: tolerance '{text}' is not a non-negative number or percentage (e.g. 0.02 or 5%)");
        return new Tolerance(relative ? v / 100 : v, relative) { Origin = origin };
    }

    public override string ToString() => Relative
        ? (Value * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%"
        : Value.ToString("0.####", CultureInfo.InvariantCulture);
}
