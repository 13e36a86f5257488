using System.CommandLine;

namespace SmallLlm.Eval.Cli;

/// <summary>--run: which runs a report reads (default: the latest run of each model and task).</summary>
public static class RunOptions
{
    public static Option<string[]> Runs() => new("--run")
    {
        Description = "Use these runs (run ids: the folder names under <results>/<model-id>/, comma-separated or repeated) instead of the latest run of each model and task.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static IReadOnlyCollection<string>? Parse(string[]? values) =>
        values is { Length: > 0 } ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet() : null;
}
