using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// One row per model, one column per task's headline metric. A row is ranked only when every task ran with the
/// settings most rows used (shots, limit, data, task version): numbers from other settings are shown but flagged,
/// never ranked against the rest silently. Ranking: <see cref="LeaderboardRanking"/>; degenerate values: <see cref="Degeneracy"/>.
/// KL-divergence runs are not task scores: they go to their own section (<see cref="KldSection"/>).
/// </summary>
public sealed record Leaderboard(IReadOnlyList<LeaderboardColumn> Columns, IReadOnlyList<LeaderboardRow> Rows, IReadOnlyList<string> Warnings)
{
    /// <summary>The kld section: one row per `smalleval kld` run (empty when the results hold none).</summary>
    public IReadOnlyList<KldRow> Kld { get; init; } = [];

    public static Leaderboard Build(ResultSet results)
    {
        var kld = KldSection.Build(results.Files);
        var set = results with { Files = results.Files.Where(f => !KldSection.IsKld(f)).ToList() };
        // A row is a model folder (name, dtype and a hash of weights and tokenizer), so two checkpoints sharing a name,
        // or one model in two dtypes, stay apart.
        var groups = set.Files.GroupBy(f => (f.Model, Dir: f.ModelDirectory.Length > 0 ? f.ModelDirectory : Path.GetDirectoryName(Path.GetFullPath(f.Path))!)).ToList();
        var duplicateNames = groups.GroupBy(g => g.Key.Model).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        string root = Directory.Exists(set.Source) ? Path.GetFullPath(set.Source) : Path.GetDirectoryName(Path.GetFullPath(set.Source))!;

        var columns = new List<LeaderboardColumn>();
        foreach (string task in set.Files.Select(ColumnKey).Distinct().Order(StringComparer.Ordinal))
        {
            var runs = set.Files.Where(f => ColumnKey(f) == task).ToList();
            string metric = MetricKinds.Headline(runs.GroupBy(r => MetricKinds.Headline(r.Metrics)).OrderByDescending(g => g.Count()).First().First().Metrics);
            var reference = runs.GroupBy(Identity).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().First();
            var declared = runs.Select(r => r.Metrics.GetValueOrDefault(metric)).FirstOrDefault(m => m is not null);
            columns.Add(new LeaderboardColumn(task, metric, MetricKinds.LowerIsBetter(metric, declared), MetricKinds.IsProportion(metric, declared),
                Identity(reference), reference.Setting("num_fewshot"), reference.Setting("limit")));
        }

        var rows = new List<LeaderboardRow>();
        foreach (var g in groups)
        {
            var cells = new Dictionary<string, LeaderboardCell>(StringComparer.Ordinal);
            var flags = new List<string>();
            var notes = new List<string>();
            foreach (var c in columns)
            {
                var file = g.FirstOrDefault(f => ColumnKey(f) == c.Task);
                if (file is null) continue;
                if (!file.Metrics.TryGetValue(c.Metric, out var m)) { flags.Add($"{c.Task}: no {c.Metric}"); continue; }
                var referenceFile = set.Files.First(f => ColumnKey(f) == c.Task && Identity(f) == c.ReferenceSettings);
                string? diff = Identity(file) == c.ReferenceSettings ? null : Describe(file, referenceFile);
                if (diff is not null) flags.Add($"{c.Task}: {diff}");
                // Corpus perplexities come without a standard error: a bootstrap over the run's documents gives one.
                if (m.Stderr is null && LogLikelihoodStandardError.Of(c.Metric, m, SampleFileReader.TryRead(file.SamplesPath, out _)) is double se)
                    m = m with { Stderr = se };
                string? degenerate = Degeneracy.Of(file, c.Metric, m);
                if (degenerate is not null) notes.Add($"{c.Task}: {degenerate}");
                cells[c.Task] = new LeaderboardCell(m, file, diff, degenerate);
            }
            var missing = columns.Where(c => !cells.ContainsKey(c.Task)).Select(c => c.Task).ToList();
            if (missing.Count > 0) flags.Add("missing " + string.Join(", ", missing));
            var proportions = columns.Where(c => c.IsProportion).ToList();
            double? average = proportions.Count > 0 && proportions.All(c => cells.ContainsKey(c.Task))
                ? proportions.Average(c => cells[c.Task].Metric.Value) : null;
            var first = g.First();
            string label = duplicateNames.Contains(g.Key.Model) ? $"{g.Key.Model} ({Path.GetRelativePath(root, g.Key.Dir)})" : g.Key.Model;
            rows.Add(new LeaderboardRow(label, g.Key.Model, first.DType, first.Parameters, cells, average, null, flags) { Notes = notes });
        }
        return new Leaderboard(columns, LeaderboardRanking.Rank(columns, rows), set.Warnings.Concat(ShotNotes(set)).ToList()) { Kld = kld };
    }

    /// <summary>Runs whose prompts had fewer shots than asked for (fit_shots=drop), with how many documents had how many.</summary>
    private static IEnumerable<string> ShotNotes(ResultSet set) =>
        from f in set.Files
        where f.ShotsHistogram is { Count: > 0 } h && f.Setting("num_fewshot") is string k && h.Keys.Any(s => s != k)
        select $"{f.Model} {f.Task}: {f.Setting("num_fewshot")} shots requested, prompts had " +
               string.Join(", ", f.ShotsHistogram!.Select(kv => $"{kv.Key} ({kv.Value} documents)"));

    /// <summary>
    /// A task's column, named by its data when the data was not the task's own (<c>--data-dir</c>):
    /// <c>tinyshakespeare [my.txt 1a2b3c4d]</c>, so a score on other data never sits under the task's name alone.
    /// </summary>
    public static string ColumnKey(ResultFile f) =>
        f.Setting("data_dir") is string d ? $"{f.Task} [{Path.GetFileName(d.TrimEnd('/', '\\'))} {f.DataSha256[..Math.Min(8, f.DataSha256.Length)]}]" : f.Task;

    /// <summary>What must be equal for two runs of a task to be compared (<see cref="RunComparison"/>).</summary>
    private static string Identity(ResultFile f) => RunComparison.Signature(f);

    /// <summary>The settings that differ, e.g. "limit=5 (others 20)".</summary>
    public static string Describe(ResultFile file, ResultFile reference) =>
        string.Join(", ", RunComparison.Differences(file, reference).Select(d => d.What switch
        {
            "task version" => $"task version {d.A} (others {d.B})",
            "data" => $"data {RunComparison.Short(d.A!)} (others {RunComparison.Short(d.B!)})",
            // Runs through another chat template (or none): a different prompt, not comparable.
            "chat_template_sha256" => $"chat_template_sha256={(d.A is null ? "unset" : RunComparison.Short(d.A))} (others {(d.B is null ? "unset" : RunComparison.Short(d.B))})",
            _ => $"{d.What}={d.A ?? "unset"} (others {d.B ?? "unset"})",
        }));
}
