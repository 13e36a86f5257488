using System.CommandLine;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Cli;

/// <summary>Command-line parse errors in the user's words: no .NET type names, and a one-line hint of what to try.</summary>
public static partial class ParseErrors
{
    /// <summary>"… as expected type 'System.Nullable`1[System.Int32]'" → "… as an integer".</summary>
    public static string Friendly(string message) =>
        TypeName().Replace(message, m => "as " + Describe(m.Groups["type"].Value)).Replace(":\n\t", ": ").Replace("\n\t", ", ").Replace('\n', ' ');

    private static string Describe(string type)
    {
        string inner = NullableOf().Match(type) is { Success: true } n ? n.Groups["inner"].Value : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.UInt32" or "System.UInt64" => "a whole number (0 or more)",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "text",
            _ => "a value of the right kind",
        };
    }

    /// <summary>What to do next: the subcommand's --help, and the dash spelling of an unknown lm-eval style option.</summary>
    public static string Hint(ParseResult parsed, string[] args)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        string command = string.Join(" ", names.Skip(1).Prepend("smalleval"));
        string? underscore = args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('_')
            && parsed.UnmatchedTokens.Contains(a));
        return underscore is not null
            ? $"options are spelled with dashes: try {underscore.Replace('_', '-')} (`{command} --help` lists them)"
            : $"`{command} --help` lists the options and what they take";
    }

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>[^\]]+)\]$")]
    private static partial Regex NullableOf();
}
