namespace SmallLlm.Eval.Tasks;

/// <summary>
/// What to do when a few-shot prompt does not fit the model's context. lm-evaluation-harness keeps all k shots and lets
/// the model cut the context on the left (<see cref="Truncate"/>, the default); <see cref="Drop"/> removes shots from the
/// end until the prompt fits, then truncates only if the question alone is too long. Task option "fit_shots".
/// </summary>
public enum FewshotFit { Truncate, Drop }

public static class FewshotFitOption
{
    public const string Key = "fit_shots";

    public static FewshotFit Of(TaskSettings settings) =>
        !settings.Options.TryGetValue(Key, out var v) ? FewshotFit.Truncate
        : v switch
        {
            "truncate" => FewshotFit.Truncate,
            "drop" => FewshotFit.Drop,
            _ => throw new ArgumentException($"--fit-shots must be 'truncate' (lm-evaluation-harness: keep every shot, cut the context on the left) or 'drop' (drop shots until the prompt fits), got '{v}'"),
        };

    public static string Name(FewshotFit fit) => fit == FewshotFit.Drop ? "drop" : "truncate";

    /// <summary>Documents per number of shots actually in their prompt: {"5": 560, "3": 10}.</summary>
    public static IReadOnlyDictionary<string, long> Histogram(IEnumerable<int> shotsPerDocument) =>
        shotsPerDocument.GroupBy(s => s).OrderByDescending(g => g.Key)
            .ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => (long)g.Count());
}
