using System.CommandLine;
using System.Globalization;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// Options of the commands that run tasks, with lm-evaluation-harness's spellings as aliases where they mean the same
/// (--num_fewshot, --batch_size, --output_path, --include_path, --log_samples) so its users' habits work.
/// </summary>
public static class TaskOptions
{
    /// <summary>--tasks a,b; also --tasks a, b (see <see cref="JoinListArguments"/>).</summary>
    public static Option<string> Tasks(string description) => new("--tasks")
    {
        Description = description + " lm-eval names mmlu_<subject> and mmlu_stem/_humanities/_social_sciences/_other run MMLU on those subjects.",
        Required = true,
    };

    /// <summary>
    /// "--tasks mmlu, arc_easy": the shell splits after the comma. A value of --tasks (or --subjects) that ends with a
    /// comma is joined with the arguments after it, until one does not end with a comma.
    /// </summary>
    public static string[] JoinListArguments(string[] args)
    {
        var result = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            if (args[i] is not ("--tasks" or "--subjects") || i + 1 >= args.Length) continue;
            string value = args[++i];
            while (value.EndsWith(',') && i + 1 < args.Length && !args[i + 1].StartsWith('-')) value += args[++i];
            result.Add(value);
        }
        return result.ToArray();
    }

    public static string[] ParseTasks(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--tasks is empty: name at least one task (see `smalleval tasks list`)");
        return names.Distinct().ToArray();
    }

    public static Option<int?> NumFewshot(string description) => new("--num-fewshot", "--num_fewshot") { Description = description };

    public static Option<string?> Limit(string description) => new("--limit")
    {
        Description = description + " A fraction below 1 (0.1) takes that share of each task's documents, as lm-eval does.",
    };

    /// <summary>"200" → a count; "0.1" → a fraction; anything else is a one-line error.</summary>
    public static (int? Count, double? Fraction) ParseLimit(string? text)
    {
        if (text is null) return (null, null);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            return (SmallLlm.Eval.Configuration.SettingRules.Limit(n, "--limit"), null); // one rule for the CLI and the config
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f is > 0 and < 1) return (null, f);
        throw new ArgumentException($"--limit '{text}': expected a number of documents (200) or a fraction between 0 and 1 (0.1)");
    }

    public static Option<string> BatchSize() => new("--batch-size", "--batch_size") { Description = "Sequences per forward pass, or auto.", DefaultValueFactory = _ => "auto" };

    public static Option<string[]> IncludeTasks() => new("--include-tasks", "--include_path")
    {
        Description = "More task folders (*.task.json), added to the built-in tasks (--tasks-dir replaces them instead). Repeatable.",
    };

    public static Option<bool> LogSamples() => new("--log_samples", "--log-samples")
    {
        Description = "Accepted for lm-eval users: per-sample records (<task>.samples.jsonl) are always written.",
    };

    public const string LogSamplesNote = "note: --log_samples: per-sample records are always written (<run folder>/<task>.samples.jsonl)";
}
