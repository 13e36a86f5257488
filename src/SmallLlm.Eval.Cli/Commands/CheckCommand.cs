using System.CommandLine;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary>
/// <c>smalleval check</c>: the CI quality gate. Exit 0 when every metric holds, 1 on a regression (beyond tolerance
/// and significant, or a metric beyond a --max/--min limit), 2 when the inputs cannot be compared (different tasks,
/// settings or data) or are bad.
/// </summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var baseline = new Option<string?>("--baseline") { Description = "Baseline results: a folder (searched recursively) or one results file. Optional with --max/--min limits." };
        var current = new Option<string>("--current") { Description = "Current results: a folder or one results file.", Required = true };
        var tolerance = new Option<string[]>("--tolerance")
        {
            Description = "Tolerance overriding eval.config.json's check.tolerances: VALUE for all metrics, or TASK.METRIC=VALUE / TASK=VALUE; VALUE absolute (0.02) or relative (5%). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var alpha = new Option<double?>("--alpha") { Description = "Significance level (default: check.alpha of the config, else 0.05)." };
        var config = new Option<string?>("--config", "-c") { Description = "Config with a 'check' section (default: eval.config.json of the repository when present)." };
        var junit = new Option<string?>("--junit") { Description = "Also write a JUnit XML report to this file (for CI test reporters)." };
        var strict = new Option<bool>("--strict") { Description = "Fail on partial, corrupt or other-version results files instead of skipping them." };
        var max = new Option<string[]>("--max") { Description = "Absolute limit TASK.METRIC=VALUE the current value must not exceed (e.g. kld.mean_kld=0.02). Repeatable; adds to the config's check.limits.", AllowMultipleArgumentsPerToken = false };
        var min = new Option<string[]>("--min") { Description = "Absolute limit TASK.METRIC=VALUE the current value must reach (e.g. kld.top1_agreement=0.9). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var allMetrics = new Option<bool>("--all-metrics") { Description = "Gate every metric of each task, not only its headline (the metric the leaderboard shows)." };
        var tasks = new Option<string?>("--tasks") { Description = "Gate these tasks only (comma-separated); each must be in both results. Default: the tasks both sides ran (the rest are named in a warning)." };
        var allowNonFinite = new Option<bool>("--allow-nonfinite") { Description = "Gate runs recorded with --allow-nonfinite (NaN or infinite scores) instead of failing them." };
        var json = ModelOptions.Json();
        var command = new Command("check", "Gate current results against a baseline, each task's headline metric (--all-metrics: every metric): a drop fails only when beyond tolerance (at least 1e-4 relative) and significant after Holm's correction (McNemar, paired bootstrap or z-test); and against absolute limits (--max kld.mean_kld=0.02). Exit 0 hold, 1 regression, 2 not comparable.")
        {
            baseline, current, tasks, tolerance, allMetrics, max, min, alpha, config, junit, strict, allowNonFinite, json,
        };
        command.SetAction(parse =>
        {
            var settings = Settings(parse.GetValue(config));
            if (parse.GetValue(alpha) is double a)
                settings = settings with { Alpha = a is > 0 and < 1 ? a : throw new ArgumentException("--alpha must be between 0 and 1") };
            var overrides = new Dictionary<string, Tolerance>(settings.Tolerances);
            foreach (string t in parse.GetValue(tolerance) ?? [])
            {
                int eq = t.IndexOf('=');
                if (eq < 0) overrides["*"] = Tolerance.Parse(t, "--tolerance", "--tolerance");
                else overrides[t[..eq].Trim()] = Tolerance.Parse(t[(eq + 1)..], $"--tolerance {t[..eq]}", "--tolerance");
            }
            if (parse.GetValue(tolerance) is { Length: > 0 } given && given.Any(t => !t.Contains('=')))
                foreach (var key in overrides.Keys.Where(k => k != "*" && !given.Any(g => g.StartsWith(k + "=", StringComparison.Ordinal))).ToList())
                    overrides.Remove(key); // a bare --tolerance VALUE replaces the configured per-metric values
            settings = settings with
            {
                Tolerances = overrides,
                AllMetrics = parse.GetValue(allMetrics),
                AllowNonFinite = parse.GetValue(allowNonFinite),
                Tasks = parse.GetValue(tasks) is string list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
                Limits = [.. settings.Limits, .. (parse.GetValue(max) ?? []).Select(t => MetricLimit.Parse(t, true, "--max")),
                          .. (parse.GetValue(min) ?? []).Select(t => MetricLimit.Parse(t, false, "--min"))],
            };
            bool isStrict = parse.GetValue(strict);
            string? baselinePath = parse.GetValue(baseline);
            if (baselinePath is null && settings.Limits.Count == 0)
                throw new ArgumentException("check needs --baseline, or limits to hold (--max/--min TASK.METRIC=VALUE, or check.limits in the config)");
            var currentSet = ResultFileReader.Read(parse.GetValue(current)!, isStrict);
            var result = baselinePath is null ? QualityGate.CheckLimits(currentSet, settings)
                : QualityGate.Compare(ResultFileReader.Read(baselinePath, isStrict), currentSet, settings);
            parse.InvocationConfiguration.Output.Write(parse.GetValue(json) ? GateJson.Render(result) : GateText.Render(result));
            if (parse.GetValue(junit) is string path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                Primitives.AtomicFile.Write(path, w => JUnitReport.Build(result).Save(w));
            }
            return result.ExitCode;
        });
        return command;
    }

    private static GateSettings Settings(string? configPath)
    {
        if (configPath is not null) return GateSettings.FromConfig(configPath, "user config " + configPath);
        try
        {
            string path = ProjectPaths.DefaultConfig();
            // Found above the working directory: the project's own config; else the one installed beside the tool.
            string folder = Path.TrimEndingDirectorySeparator(Path.GetDirectoryName(Path.GetFullPath(path))!) + Path.DirectorySeparatorChar;
            bool project = (Path.TrimEndingDirectorySeparator(Directory.GetCurrentDirectory()) + Path.DirectorySeparatorChar).StartsWith(folder, StringComparison.Ordinal);
            return File.Exists(path) ? GateSettings.FromConfig(path, (project ? "project config " : "bundled config ") + path) : new GateSettings();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidOperationException)
        {
            return new GateSettings(); // outside a checkout (a user's CI): defaults, the test alone decides
        }
    }
}
