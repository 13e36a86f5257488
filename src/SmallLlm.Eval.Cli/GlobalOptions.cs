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

    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "Engine threads (default: the cores this process may use, from its CPU affinity and cgroup quota).",
        Recursive = true,
    };

    public static readonly Option<string> WaitPolicy = new("--wait-policy")
    {
        Description = "How idle engine threads wait: passive (sleep; degrades gracefully when other work shares the cores) or active (spin; a little faster on an otherwise idle machine). An exported OMP_WAIT_POLICY wins.",
        DefaultValueFactory = _ => "passive",
        Recursive = true,
    };
}
