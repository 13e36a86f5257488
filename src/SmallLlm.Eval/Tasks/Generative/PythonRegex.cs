using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// A Python <c>re</c> pattern (as lm-eval's task YAML writes them) translated into a .NET regex that matches the same
/// text, with <c>findall</c> and <c>sub</c> as Python has them. Where the two dialects differ the translation makes
/// them agree: <c>\w</c>, <c>\b</c> and <c>\s</c> get Python's Unicode classes (Python's \w has No digits such as
/// '²' and no combining marks; its \s has \x1c-\x1f), <c>\Z</c> means end of text, <c>{,n}</c> is a quantifier, and
/// named groups are numbered left to right as Python numbers them. What cannot be translated faithfully (possessive
/// quantifiers, atomic groups, verbose or ASCII/locale flags, variable-width lookbehind, escapes Python rejects) is
/// refused with a <see cref="FormatException"/> that says why.
/// </summary>
public sealed class PythonRegex
{
    /// <summary>Python's \w: isalnum() or '_' (letters and every numeric character).</summary>
    private const string WordClass = @"\p{L}\p{N}_";
    private const string Word = "[" + WordClass + "]";
    private const string SpaceClass = @"\s\x1C-\x1F";

    private readonly Regex _regex;

    /// <summary>The pattern as written (Python syntax).</summary>
    public string Pattern { get; }

    /// <summary>The .NET pattern it was translated into.</summary>
    public string Translated { get; }

    /// <summary>Capturing groups, numbered as Python numbers them.</summary>
    public int Groups { get; }

    public PythonRegex(string pattern)
    {
        Pattern = pattern;
        (Translated, Groups) = Translate(pattern);
        try { _regex = new Regex(Translated, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10)); }
        catch (ArgumentException e) { throw new FormatException($"not a valid regular expression: {e.Message}"); }
    }

    /// <summary>Python's <c>re.findall</c>: whole matches without groups, the group with one, tuples (arrays) with several.</summary>
    public IReadOnlyList<object> FindAll(string text)
    {
        var found = new List<object>();
        foreach (Match m in _regex.Matches(text))
        {
            if (Groups == 0) found.Add(m.Value);
            else if (Groups == 1) found.Add(m.Groups[1].Success ? m.Groups[1].Value : "");
            else found.Add(Enumerable.Range(1, Groups).Select(g => m.Groups[g].Success ? m.Groups[g].Value : "").ToArray());
        }
        return found;
    }

    /// <summary>Python's <c>re.sub(pattern, "", text)</c>.</summary>
    public string RemoveAll(string text) => _regex.Replace(text, "");

    private static (string, int) Translate(string p)
    {
        var o = new StringBuilder();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        int groups = 0;
        var lookbehinds = new Stack<int>(); // depth at which each open lookbehind started
        int depth = 0;
        int i = 0;
        bool atStart = true;
        while (i < p.Length)
        {
            char c = p[i];
            bool wasStart = atStart;
            atStart = false;
            switch (c)
            {
                case '\\':
                    i = Escape(p, i, o, inClass: false);
                    continue;
                case '[':
                    i = Class(p, i, o);
                    continue;
                case '(':
                    depth++;
                    if (i + 1 < p.Length && p[i + 1] == '?')
                    {
                        i = Extension(p, i, o, names, ref groups, wasStart, out bool lookbehind, out bool flagsOnly);
                        if (flagsOnly) { depth--; atStart = wasStart; }
                        else if (lookbehind) lookbehinds.Push(depth);
                        continue;
                    }
                    groups++;
                    o.Append('(');
                    i++;
                    continue;
                case ')':
                    if (lookbehinds.Count > 0 && lookbehinds.Peek() == depth) lookbehinds.Pop();
                    depth--;
                    o.Append(')');
                    i++;
                    continue;
                case '{':
                    i = Brace(p, i, o, lookbehinds.Count > 0);
                    continue;
                case '*' or '+' or '?':
                    if (lookbehinds.Count > 0 && !(c == '?' && IsAfterQuantifier(p, i)))
                        throw new FormatException($"a quantifier '{c}' inside a lookbehind at offset {i}: Python requires fixed-width lookbehind");
                    o.Append(c);
                    i++;
                    if (i < p.Length && p[i] == '+')
                        throw new FormatException($"possessive quantifier '{c}+' at offset {i - 1} is not translated (Python 3.11+ only)");
                    continue;
                case '|':
                    if (lookbehinds.Count > 0)
                        throw new FormatException($"alternation inside a lookbehind at offset {i} is not translated (Python requires equal widths)");
                    o.Append(c);
                    i++;
                    continue;
                default:
                    o.Append(c);
                    i++;
                    continue;
            }
        }
        return (o.ToString(), groups);
    }

    private static bool IsAfterQuantifier(string p, int i) => i > 0 && p[i - 1] is '*' or '+' or '?' or '}';

    /// <summary>A '{': a quantifier {m}, {m,}, {,n}, {m,n} (Python's {,n} is {0,n}), or a literal brace.</summary>
    private static int Brace(string p, int i, StringBuilder o, bool inLookbehind)
    {
        var m = Regex.Match(p[i..], @"^\{(\d*)(,?)(\d*)\}");
        if (!m.Success || (m.Groups[1].Length == 0 && m.Groups[2].Length == 0))
        {
            o.Append(@"\{");
            return i + 1;
        }
        if (inLookbehind && (m.Groups[2].Length > 0))
            throw new FormatException($"a range quantifier '{m.Value}' inside a lookbehind at offset {i}: Python requires fixed-width lookbehind");
        string lo = m.Groups[1].Length > 0 ? m.Groups[1].Value : m.Groups[2].Length > 0 ? "0" : "";
        o.Append('{').Append(lo).Append(m.Groups[2].Value).Append(m.Groups[3].Value).Append('}');
        int next = i + m.Length;
        if (next < p.Length && p[next] == '+')
            throw new FormatException($"possessive quantifier '{m.Value}+' at offset {i} is not translated (Python 3.11+ only)");
        return next;
    }

    /// <summary>"(?...)": groups, lookarounds, comments, conditionals and flags.</summary>
    private static int Extension(string p, int i, StringBuilder o, Dictionary<string, int> names, ref int groups, bool atStart,
        out bool lookbehind, out bool flagsOnly)
    {
        lookbehind = false;
        flagsOnly = false;
        string rest = p[(i + 2)..];
        if (rest.StartsWith("P<", StringComparison.Ordinal))
        {
            int end = rest.IndexOf('>', StringComparison.Ordinal);
            string name = end > 2 ? rest[2..end] : throw new FormatException($"unterminated group name at offset {i}");
            if (!IsIdentifier(name)) throw new FormatException($"bad group name '{name}' at offset {i}");
            if (names.ContainsKey(name)) throw new FormatException($"redefinition of group name '{name}' at offset {i}");
            names[name] = ++groups;
            o.Append('(');
            return i + 2 + end + 1;
        }
        if (rest.StartsWith("P=", StringComparison.Ordinal))
        {
            int end = rest.IndexOf(')', StringComparison.Ordinal);
            string name = end > 2 ? rest[2..end] : throw new FormatException($"unterminated group reference at offset {i}");
            if (!names.TryGetValue(name, out int n)) throw new FormatException($"unknown group name '{name}' at offset {i}");
            o.Append(@"(?:\").Append(n.ToString(CultureInfo.InvariantCulture)).Append(')');
            return i + 2 + end + 1;
        }
        if (rest.StartsWith(':') || rest.StartsWith('=') || rest.StartsWith('!'))
        {
            o.Append("(?").Append(rest[0]);
            return i + 3;
        }
        if (rest.StartsWith("<=", StringComparison.Ordinal) || rest.StartsWith("<!", StringComparison.Ordinal))
        {
            lookbehind = true;
            o.Append("(?").Append(rest[..2]);
            return i + 4;
        }
        if (rest.StartsWith('#'))
        {
            int end = rest.IndexOf(')', StringComparison.Ordinal);
            if (end < 0) throw new FormatException($"missing ), unterminated comment at offset {i}");
            flagsOnly = true; // a comment matches nothing
            return i + 2 + end + 1;
        }
        if (rest.StartsWith('('))
        {
            int end = rest.IndexOf(')', StringComparison.Ordinal);
            string cond = end > 1 ? rest[1..end] : throw new FormatException($"bad conditional at offset {i}");
            int n = int.TryParse(cond, NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k
                : names.TryGetValue(cond, out int named) ? named : throw new FormatException($"unknown group '{cond}' in a conditional at offset {i}");
            o.Append("(?(").Append(n.ToString(CultureInfo.InvariantCulture)).Append(')');
            return i + 2 + end + 1;
        }
        var flags = Regex.Match(rest, @"^([aiLmsux]*)(?:-([imsx]+))?([:)])");
        if (flags.Success && (flags.Groups[1].Length + flags.Groups[2].Length) > 0)
        {
            string on = flags.Groups[1].Value, off = flags.Groups[2].Value;
            foreach (char f in on + off)
                if (f is 'a' or 'L' or 'x')
                    throw new FormatException($"flag '{f}' at offset {i} is not translated (ASCII, locale and verbose matching differ in .NET)");
            bool global = flags.Groups[3].Value == ")";
            if (global && off.Length > 0) throw new FormatException($"missing :, flags cannot be turned off globally at offset {i}");
            if (global && !atStart) throw new FormatException($"global flags not at the start of the expression at offset {i}");
            string kept = on.Replace("u", "", StringComparison.Ordinal);
            flagsOnly = global;
            if (kept.Length + off.Length > 0 || !global)
                o.Append("(?").Append(kept).Append(off.Length > 0 ? "-" + off : "").Append(flags.Groups[3].Value);
            return i + 2 + flags.Length;
        }
        throw new FormatException($"'(?{(rest.Length > 0 ? rest[0] : ' ')}' at offset {i} is not Python syntax we translate (atomic groups, .NET named groups and unknown extensions are refused)");
    }

    private static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(ch => char.IsLetterOrDigit(ch) || ch == '_');

    /// <summary>A character class "[...]", copied with its escapes translated and '[' made literal (.NET reads "-[" as subtraction).</summary>
    private static int Class(string p, int i, StringBuilder o)
    {
        o.Append('[');
        i++;
        if (i < p.Length && p[i] == '^') { o.Append('^'); i++; }
        if (i < p.Length && p[i] == ']') { o.Append(@"\]"); i++; }
        while (i < p.Length && p[i] != ']')
        {
            char c = p[i];
            if (c == '\\') { i = Escape(p, i, o, inClass: true); continue; }
            if (c == '[') { o.Append(@"\["); i++; continue; }
            o.Append(c);
            i++;
        }
        if (i >= p.Length) throw new FormatException("unterminated character set");
        o.Append(']');
        return i + 1;
    }

    /// <summary>A backslash escape, translated; Python's bad escapes (an ASCII letter it does not know) are refused.</summary>
    private static int Escape(string p, int i, StringBuilder o, bool inClass)
    {
        if (i + 1 >= p.Length) throw new FormatException("bad escape (end of pattern)");
        char c = p[i + 1];
        switch (c)
        {
            case 'd' or 'D' or 'n' or 't' or 'r' or 'f' or 'v' or 'a':
                o.Append('\\').Append(c);
                return i + 2;
            case 'w':
                o.Append(inClass ? WordClass : Word);
                return i + 2;
            case 's':
                o.Append(inClass ? SpaceClass : "[" + SpaceClass + "]");
                return i + 2;
            case 'W' or 'S' when inClass:
                throw new FormatException($"\\{c} inside a character set is not translated");
            case 'W':
                o.Append("[^" + WordClass + "]");
                return i + 2;
            case 'S':
                o.Append("[^" + SpaceClass + "]");
                return i + 2;
            case 'b' when inClass:
                o.Append(@"\x08");
                return i + 2;
            case 'b':
                o.Append($"(?:(?<={Word})(?!{Word})|(?<!{Word})(?={Word}))");
                return i + 2;
            case 'B' when !inClass:
                o.Append($"(?:(?<={Word})(?={Word})|(?<!{Word})(?!{Word}))");
                return i + 2;
            case 'A' when !inClass:
                o.Append(@"\A");
                return i + 2;
            case 'Z' when !inClass:
                o.Append(@"\z");
                return i + 2;
            case 'x':
                return Hex(p, i, 2, o);
            case 'u':
                return Hex(p, i, 4, o);
            case 'U':
                return Hex(p, i, 8, o);
            case '0':
            {
                int j = i + 2, value = 0;
                while (j < p.Length && j < i + 4 && p[j] is >= '0' and <= '7') value = value * 8 + (p[j++] - '0');
                o.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
                return j;
            }
            case >= '1' and <= '9':
            {
                // sre_parse: three octal digits are a character, else one or two digits are a group reference.
                if (i + 3 < p.Length && p[(i + 1)..(i + 4)].All(d => d is >= '0' and <= '7'))
                {
                    int value = Convert.ToInt32(p[(i + 1)..(i + 4)], 8);
                    if (value > 0xFF) throw new FormatException($"octal escape value \\{p[(i + 1)..(i + 4)]} outside of range 0-0o377 at offset {i}");
                    o.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
                    return i + 4;
                }
                if (inClass) throw new FormatException($"\\{c} inside a character set at offset {i} is not translated");
                int j = i + 1, n = 0;
                while (j < p.Length && j < i + 3 && char.IsAsciiDigit(p[j])) n = n * 10 + (p[j++] - '0');
                o.Append(CultureInfo.InvariantCulture, $"(?:\\{n})");
                return j;
            }
            default:
                if (char.IsAsciiLetter(c)) throw new FormatException($"bad escape \\{c} at offset {i} (Python's re rejects it)");
                if (char.IsAsciiDigit(c) || c < 128) o.Append('\\').Append(c);
                else o.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                return i + 2;
        }
    }

    private static int Hex(string p, int i, int digits, StringBuilder o)
    {
        if (i + 2 + digits > p.Length || !int.TryParse(p.AsSpan(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
            throw new FormatException($"incomplete escape \\{p[i + 1]} at offset {i}");
        if (value > 0xFFFF)
        {
            if (value > 0x10FFFF) throw new FormatException($"bad escape \\{p[i + 1]} at offset {i}: beyond Unicode");
            throw new FormatException($"escape of a character beyond U+FFFF at offset {i} is not translated");
        }
        o.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
        return i + 2 + digits;
    }
}
