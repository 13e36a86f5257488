namespace SmallLlm.Eval.Tasks;

/// <summary>
/// Consent to run model-written code, set only from the command line's flags (as lm-evaluation-harness's
/// --confirm_run_unsafe_code): never from a task file, a config file or a task option, which could grant it without the
/// person running the command knowing. A task that would execute code reads it from <see cref="TaskSettings.Execution"/>.
/// </summary>
/// <param name="AllowCode">--allow-code-execution: run the code, in a sandbox.</param>
/// <param name="AllowUnsandboxed">--allow-unsandboxed-execution: also where no sandbox works.</param>
public sealed record ExecutionPolicy(bool AllowCode, bool AllowUnsandboxed)
{
    public static readonly ExecutionPolicy None = new(false, false);

    /// <summary>The setting names that once carried consent as strings, and the flag that grants it now.</summary>
    private static readonly Dictionary<string, string> FlagFor = new(StringComparer.Ordinal)
    {
        ["allow_code_execution"] = "--allow-code-execution",
        ["allow_unsandboxed_execution"] = "--allow-unsandboxed-execution",
    };

    /// <summary>The error for consent written where it may not be (<paramref name="where"/>: a file, a task's options).</summary>
    public static string? Misplaced(string name, string where) => FlagFor.TryGetValue(name, out var flag)
        ? $"{where}: '{name}': running model-written code is allowed only by the {flag} flag on the command line, never by a task file, config file or task option"
        : null;
}
