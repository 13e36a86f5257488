using System.Text;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Cli.Tests.Docs;

/// <summary>
/// Every `smalleval …` (or `dotnet run --project src/SmallLlm.Eval.Cli … -- …`) command line in README.md and docs/*.md
/// parses with the real command tree: a renamed option, a missing required one or a dropped command fails here, not
/// in a reader's terminal. Lines in fenced code blocks count (continued with a trailing backslash), and inline code
/// spans that carry an option (a command line, not a mention of a command's name). Only a command shown failing (the
/// next line of its block starts with "error:", as for a deliberately bad value) may fail to parse.
/// </summary>
public sealed partial class DocumentedCommandLineTests
{
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        string docs = Path.Combine(RepoPaths.Root, "docs");
        if (Directory.Exists(docs))
            foreach (string f in Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_command_line_on_the_page_parses(string page)
    {
        var failures = new List<string>();
        string[] text = File.ReadAllLines(Path.Combine(RepoPaths.Root, page));
        foreach (var (line, args) in CommandLines(text))
        {
            var parsed = SmallEvalCommand.Create().Parse(TaskOptions.JoinListArguments(args));
            bool shownFailing = line < text.Length && text[line].StartsWith("error:", StringComparison.Ordinal);
            if (!shownFailing && parsed.Errors.Count > 0)
                failures.Add($"{page}:{line}: smalleval {string.Join(' ', args)}\n    {string.Join("\n    ", parsed.Errors.Select(e => e.Message))}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_extractor_finds_fenced_continued_and_inline_command_lines_and_a_wrong_one_fails()
    {
        string[] page =
        [
            "Run `smalleval leaderboard -r results` or `smalleval check`.",
            "```sh",
            "$ smalleval check --baseline b \\",
            "    --current c   # the gate",
            "dotnet run --project src/SmallLlm.Eval.Cli -c Release -- tokenizers bench --help | head",
            "```",
        ];
        var lines = CommandLines(page).ToList();
        Assert.Equal([1, 3, 5], lines.Select(l => l.Line));
        Assert.Equal(["leaderboard", "-r", "results"], lines[0].Args);
        Assert.Equal(["check", "--baseline", "b", "--current", "c"], lines[1].Args);
        Assert.Equal(["tokenizers", "bench", "--help"], lines[2].Args);
        Assert.NotEmpty(SmallEvalCommand.Create().Parse(["leaderboard", "--no-such-option"]).Errors);
        Assert.NotEmpty(SmallEvalCommand.Create().Parse(["check", "--baseline", "b"]).Errors); // --current is required
    }

    /// <summary>(1-based line, arguments after the program name) of each command line on a page.</summary>
    public static IEnumerable<(int Line, string[] Args)> CommandLines(IReadOnlyList<string> page)
    {
        bool fenced = false;
        for (int i = 0; i < page.Count; i++)
        {
            string text = page[i];
            if (text.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced)
            {
                int first = i;
                var joined = new StringBuilder(text);
                while (joined.ToString().TrimEnd().EndsWith('\\') && i + 1 < page.Count)
                {
                    string s = joined.ToString().TrimEnd();
                    joined.Clear().Append(s[..^1]).Append(' ').Append(page[++i].Trim());
                }
                if (Arguments(joined.ToString()) is { } args) yield return (first + 1, args);
                continue;
            }
            foreach (Match m in InlineCode().Matches(text))
                if (m.Groups[1].Value.Contains(" -", StringComparison.Ordinal) && Arguments(m.Groups[1].Value) is { } args)
                    yield return (i + 1, args);
        }
    }

    /// <summary>The arguments of a shell line that runs smalleval, up to a comment, pipe or redirection; null for other lines.</summary>
    private static string[]? Arguments(string line)
    {
        var words = ShellWords(GitHubExpression().Replace(line, "1")); // ${{ matrix.shard }} is a value once CI expands it
        int start = words.FindIndex(w => w is "smalleval" || w.EndsWith("/smalleval", StringComparison.Ordinal));
        if (start >= 0 && words.Take(start).Any(w => !w.Contains('=') && w != "$" && w != "run:")) start = -1; // smalleval as an argument of another program
        if (start < 0)
        {
            int project = words.FindIndex(w => w.TrimEnd('/').EndsWith("src/SmallLlm.Eval.Cli", StringComparison.Ordinal));
            if (project < 2 || words[0] != "dotnet" && words[0] != "$" || !words.Contains("run")) return null;
            start = words.IndexOf("--", project);
            if (start < 0) return null;
        }
        var args = new List<string>();
        foreach (string w in words.Skip(start + 1))
        {
            if (w is "|" or "||" or "&&" or ";" or ">" or ">>" or "2>&1" or "&" || w.StartsWith('#') || w.StartsWith('>') || w.StartsWith("2>", StringComparison.Ordinal)) break;
            args.Add(w);
        }
        return [.. args];
    }

    /// <summary>Words as a POSIX shell splits them: blanks separate, single and double quotes group, a backslash escapes.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool any = false;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length) word.Append(line[++i]);
                else word.Append(c);
            }
            else if (c is '\'' or '"') { quote = c; any = true; }
            else if (c == '\\' && i + 1 < line.Length) { word.Append(line[++i]); any = true; }
            else if (char.IsWhiteSpace(c)) { if (any || word.Length > 0) words.Add(word.ToString()); word.Clear(); any = false; }
            else word.Append(c);
        }
        if (any || word.Length > 0) words.Add(word.ToString());
        return words;
    }

    [GeneratedRegex(@"\$\{\{[^}]*\}\}")]
    private static partial Regex GitHubExpression();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();
}
