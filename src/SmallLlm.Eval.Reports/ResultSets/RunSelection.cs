namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// Picks which runs a report uses: for each model (its <see cref="ResultFile.ModelDirectory"/>) and task, the latest
/// run, or the runs named explicitly. When an older run of the same model and task used other settings, a warning
/// says so and how to pick it: a report never mixes or hides runs of different settings silently.
/// </summary>
public static class RunSelection
{
    public static ResultSet Select(ResultSet all, IReadOnlyCollection<string>? runs = null)
    {
        var warnings = new List<string>(all.Warnings);
        var files = all.Files;
        if (runs is { Count: > 0 })
        {
            var unknown = runs.Where(r => !files.Any(f => f.RunId == r)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException($"run(s) {string.Join(", ", unknown)} not found under '{all.Source}' (runs there: {string.Join(", ", files.Select(f => f.RunId).Where(r => r.Length > 0).Distinct().Order(StringComparer.Ordinal))})");
            files = files.Where(f => runs.Contains(f.RunId)).ToList();
        }
        var chosen = new List<ResultFile>();
        foreach (var g in files.GroupBy(f => (f.ModelDirectory, f.Task)))
        {
            var ordered = g.OrderByDescending(f => f.RunId, StringComparer.Ordinal).ThenByDescending(f => f.Path, StringComparer.Ordinal).ToList();
            var latest = ordered[0];
            chosen.Add(latest);
            var other = ordered.Skip(1).Where(f => !RunComparison.Comparable(f, latest)).ToList();
            if (other.Count > 0)
                warnings.Add($"{latest.ModelId}: {g.Key.Task}: showing run {Describe(latest)}; older run(s) with other settings: "
                    + string.Join("; ", other.Select(o => $"{Describe(o)}: {Difference(o, latest)}"))
                    + " (pick one with --run RUN-ID or by giving its run folder)");
        }
        return new ResultSet(all.Source, chosen.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(), warnings);
    }

    private static string Describe(ResultFile f) => f.RunId.Length > 0 ? f.RunId : Path.GetFileName(Path.GetDirectoryName(f.Path)) ?? f.Path;

    private static string Difference(ResultFile older, ResultFile latest) =>
        string.Join(", ", RunComparison.Differences(older, latest).Select(d => d.What switch
        {
            "task version" => $"task version {d.A}",
            "data" => $"data {RunComparison.Short(d.A!)}",
            _ => $"{d.What}={d.A ?? "unset"}",
        }));
}
