using System.Globalization;
using System.Xml.Linq;

namespace SmallLlm.Eval.Reports.Gate;

/// <summary>
/// JUnit XML for CI systems (GitHub Actions test reporters, Azure Pipelines PublishTestResults): one test case per
/// check, a failure element for each regression, an error test case when the inputs cannot be compared.
/// </summary>
public static class JUnitReport
{
    public static XDocument Build(GateResult result)
    {
        var suite = new XElement("testsuite",
            new XAttribute("name", "smalleval check"),
            new XAttribute("tests", Math.Max(1, result.Checks.Count).ToString(CultureInfo.InvariantCulture)),
            new XAttribute("failures", result.Failed.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("errors", result.Incomparable.Count > 0 ? "1" : "0"));
        if (result.Incomparable.Count > 0)
            suite.Add(new XElement("testcase", new XAttribute("classname", "smalleval.check"), new XAttribute("name", "inputs comparable"),
                new XElement("error", new XAttribute("message", "the current results cannot be compared with the baseline"), string.Join("\n", result.Incomparable))));
        foreach (var c in result.Checks)
        {
            var testcase = new XElement("testcase", new XAttribute("classname", $"smalleval.check.{c.Model}.{c.Task}"), new XAttribute("name", c.Metric), new XAttribute("time", "0"));
            string detail = c.Limit is { } limit ? $"value {ReportNumbers.Format(c.Current)}, limit {limit}: {c.Reason}" : $"baseline {ReportNumbers.Format(c.Baseline)}, current {ReportNumbers.Format(c.Current)}, delta {ReportNumbers.Format(c.Delta)}, "
                + $"tolerance {c.Tolerance} (from {c.ToleranceOrigin}), p-value {(c.PValue is double p ? ReportNumbers.Format(p) : "n/a")} ({c.Test}), "
                + $"Holm p {(c.AdjustedPValue is double h ? ReportNumbers.Format(h) : "n/a")}: {c.Reason}";
            detail = $"model {c.Model}: {detail}";
            if (c.Failed) testcase.Add(new XElement("failure", new XAttribute("message", $"{c.Model} {c.Task} {c.Metric} regressed"), detail));
            else testcase.Add(new XElement("system-out", detail));
            suite.Add(testcase);
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
    }
}
