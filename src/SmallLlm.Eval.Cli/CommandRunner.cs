using System.CommandLine;
using SmallLlm.Eval.Engine.Hardware;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// Parses and invokes a command, turning bad input into one clear line on stderr and exit code 2
/// (a stack trace only with --verbose). Exit codes: 0 ok, 1 a check failed (a regression, a failed sandbox run), 2 bad input or usage (cannot run, not
/// comparable), 3 internal error, 130 interrupted (Ctrl-C).
/// </summary>
public static class CommandRunner
{
    public const int BadInput = 2;
    public const int InternalError = 3;
    /// <summary>128 + SIGINT, what shells report for a program stopped by Ctrl-C.</summary>
    public const int Interrupted = 130;

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (stdout != null) config.Output = stdout;
        if (stderr != null) config.Error = stderr;
        var err = stderr ?? Console.Error;
        ParseResult parsed = root.Parse(TaskOptions.JoinListArguments(args));
        bool verbose = parsed.GetValue(GlobalOptions.Verbose);
        if (parsed.Errors.Count > 0 && !AsksForHelp(args))
        {
            // One line per problem and one hint, not the whole help text; exit 2 (1 means "regression" for `check`).
            foreach (var e in parsed.Errors.Take(3)) err.WriteLine($"error: {ParseErrors.Friendly(e.Message)}");
            err.WriteLine($"hint: {ParseErrors.Hint(parsed, args)}");
            return BadInput;
        }
        try
        {
            // Before anything loads libtorch: its OpenMP runtime reads the wait policy once, at load.
            string policy = parsed.GetValue(GlobalOptions.WaitPolicy) ?? "passive";
            if (policy is not ("passive" or "active")) throw new ArgumentException($"--wait-policy must be passive or active, got '{policy}'");
            EngineThreads.PrepareWaitPolicy(policy);
            EngineThreads.Request(parsed.GetValue(GlobalOptions.Threads));
            return parsed.Invoke(config);
        }
        catch (SmallLlm.Eval.Runner.RunInterruptedException e)
        {
            err.WriteLine(e.Message);
            return Interrupted;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            err.WriteLine($"error: {e.Message}");
            if (verbose) err.WriteLine(e);
            return BadInput;
        }
        catch (Exception e)
        {
            err.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            err.WriteLine(verbose ? e.ToString() : "(run again with --verbose for the stack trace)");
            return InternalError;
        }
    }

    private static bool AsksForHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    /// <summary>Errors that describe the user's input (files, arguments), not a bug of ours.</summary>
    public static bool IsBadInput(Exception e) => e is not (ArgumentOutOfRangeException or ArgumentNullException) && e is InvalidDataException or FileNotFoundException
        or DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException or FormatException
        or EndOfStreamException or IOException;
}
