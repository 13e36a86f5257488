using SmallLlm.Eval.Tasks.Mmlu;

namespace SmallLlm.Eval.Tasks;

/// <summary>
/// lm-evaluation-harness task names that map onto ours: <c>mmlu_&lt;subject&gt;</c> is MMLU on that subject, and the
/// groups <c>mmlu_stem</c>, <c>mmlu_humanities</c>, <c>mmlu_social_sciences</c>, <c>mmlu_other</c> are MMLU on lm-eval's
/// subjects of that group; several of them make one MMLU run on the union. Also: --limit as a fraction.
/// </summary>
public static class TaskNames
{
    public static (IReadOnlyList<string> Names, Func<string, TaskSettings> SettingsFor) Expand(IReadOnlyList<string> names, Func<string, TaskSettings> settingsFor)
    {
        var subjects = new List<string>();
        var result = new List<string>();
        foreach (string name in names)
        {
            var expanded = MmluSubjectsOf(name);
            if (expanded is null) { if (!result.Contains(name)) result.Add(name); continue; }
            subjects.AddRange(expanded.Where(s => !subjects.Contains(s)));
            if (!result.Contains("mmlu")) result.Add("mmlu");
        }
        if (subjects.Count == 0 || names.Contains("mmlu")) return (result, settingsFor);
        return (result, task =>
        {
            var s = settingsFor(task);
            if (task != "mmlu") return s;
            var options = new Dictionary<string, string>(s.Options);
            var given = options.TryGetValue("subjects", out var g) ? g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            options["subjects"] = string.Join(",", given.Concat(subjects).Distinct());
            return s with { Options = options };
        });
    }

    /// <summary>The subjects an lm-eval MMLU name stands for, or null when it is not one.</summary>
    public static IReadOnlyList<string>? MmluSubjectsOf(string name)
    {
        if (!name.StartsWith("mmlu_", StringComparison.Ordinal)) return null;
        string rest = name["mmlu_".Length..];
        if (MmluSubjects.All.Contains(rest)) return [rest];
        if (rest is MmluSubjects.Stem or MmluSubjects.Humanities or MmluSubjects.SocialSciences or MmluSubjects.Other)
            return MmluSubjects.All.Where(s => LmEvalGroup(s) == rest).ToList();
        return null;
    }

    /// <summary>
    /// lm-eval's group of a subject (lm_eval/tasks/mmlu/_generate_configs.py): the original release's category, except
    /// anatomy, which lm-eval files under STEM (the original under health, i.e. other).
    /// </summary>
    public static string LmEvalGroup(string subject) => subject == "anatomy" ? MmluSubjects.Stem : MmluSubjects.Category(subject);

    /// <summary>
    /// --limit 0.1: each task gets ceil(0.1 × its documents), as lm-eval does. A task that limits per group (MMLU, per
    /// subject) cannot take one fraction as one count, so it is refused with what to do instead.
    /// </summary>
    public static Func<string, TaskSettings> WithFractionLimit(IReadOnlyList<IEvalTask> tasks, Func<string, TaskSettings> settingsFor, double fraction)
    {
        if (fraction is <= 0 or >= 1) throw new ArgumentException($"--limit {fraction}: a fraction must be between 0 and 1 (or give a whole number of documents)");
        var limits = new Dictionary<string, int>();
        foreach (var task in tasks)
        {
            var described = task.Describe(settingsFor(task.Name) with { Limit = null });
            if (described.DocumentsPerGroup.Count != 1)
                throw new ArgumentException($"--limit {fraction}: {task.Name} limits per group ({described.DocumentsPerGroup.Count} groups of {described.DocumentsPerGroup.Values.Min()}–{described.DocumentsPerGroup.Values.Max()} documents), so a fraction is ambiguous; give a number of documents per group");
            limits[task.Name] = Math.Max(1, (int)Math.Ceiling(described.DocumentsPerGroup.Values.Single() * fraction));
        }
        return name => limits.TryGetValue(name, out int limit) ? settingsFor(name) with { Limit = limit } : settingsFor(name);
    }
}
