namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// Whether two runs of a task measured the same thing, the one rule the leaderboard, the gate and run selection share:
/// the same task version, the same data (by hash) and the same settings, except settings that do not change what is
/// measured: <c>strict</c> (how bad rows are handled: a run that finished saw none) and <c>data_dir</c> (where the data
/// was read from; its hash is compared).
/// </summary>
public static class RunComparison
{
    private static readonly HashSet<string> NotMeasured = new(StringComparer.Ordinal) { "strict", "data_dir" };

    /// <summary>One thing two runs differ in: "task version", "data" (the sha256) or a setting's key, with both values (null: unset).</summary>
    public sealed record Difference(string What, string? A, string? B);

    /// <summary>What differs between <paramref name="a"/> and <paramref name="b"/>, in a fixed order; empty when they compare.</summary>
    public static IReadOnlyList<Difference> Differences(ResultFile a, ResultFile b)
    {
        var parts = new List<Difference>();
        if (a.TaskVersion != b.TaskVersion) parts.Add(new("task version", a.TaskVersion, b.TaskVersion));
        if (a.DataSha256 != b.DataSha256) parts.Add(new("data", a.DataSha256, b.DataSha256));
        foreach (string key in a.Settings.Keys.Union(b.Settings.Keys).Where(Measured).Order(StringComparer.Ordinal))
            if (a.Setting(key) != b.Setting(key)) parts.Add(new(key, a.Setting(key), b.Setting(key)));
        return parts;
    }

    public static bool Comparable(ResultFile a, ResultFile b) => Differences(a, b).Count == 0;

    /// <summary>A key equal for exactly the runs that compare with each other (for grouping).</summary>
    public static string Signature(ResultFile f) => $"v{f.TaskVersion}|{f.DataSha256}|{SettingsSignature(f)}";

    /// <summary>The measured settings in key order, "limit=5, num_fewshot=0".</summary>
    public static string SettingsSignature(ResultFile f) =>
        string.Join(", ", f.Settings.Where(kv => Measured(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static bool Measured(string key) => !NotMeasured.Contains(key);

    /// <summary>The first characters of a hash, enough to tell two apart in a message.</summary>
    public static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
