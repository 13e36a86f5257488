using System.CommandLine;

namespace SmallLlm.Eval.Cli;

/// <summary>Options every command understands.</summary>
public static class GlobalOptions
{
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full stack traces for errors.",
        Recursive = true,
    };
}
