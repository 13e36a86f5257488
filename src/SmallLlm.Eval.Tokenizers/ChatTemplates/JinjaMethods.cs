using System.Text;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// The Python methods templates call on values (<c>.strip()</c>, <c>.split()</c>, <c>.startswith()</c>, <c>.items()</c>,
/// <c>.get()</c>...), with Python's semantics. Methods that change a value (<c>append</c>, <c>update</c>...) are refused,
/// as transformers' immutable sandbox refuses them.
/// </summary>
internal static class JinjaMethods
{
    private static readonly HashSet<string> Mutating = ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem"];

    public static bool TryBind(object? target, string name, out JinjaCallable? method)
    {
        method = null;
        Func<JinjaArguments, object?>? body = target switch
        {
            string s => StringMethod(s, name),
            OrderedDictionary<string, object?> d => DictMethod(d, name),
            List<object?> l => ListMethod(l, name),
            _ => null,
        };
        if (body is null && target is List<object?> or OrderedDictionary<string, object?> && Mutating.Contains(name))
            body = _ => throw new InvalidOperationException($"{JinjaValues.TypeName(target)}.{name}() is unsafe: transformers renders templates in an immutable sandbox");
        if (body is null) return false;
        string full = $"{JinjaValues.TypeName(target)}.{name}";
        method = new JinjaCallable(full, (args, kwargs) => body(new JinjaArguments(full, args, kwargs)));
        return true;
    }

    private static Func<JinjaArguments, object?>? DictMethod(OrderedDictionary<string, object?> d, string name) => name switch
    {
        "get" => a =>
        {
            a.Takes("key", "default");
            return a.Get(0, "key", null) is string k && d.TryGetValue(k, out var v) ? v : a.Get(1, "default", null);
        },
        "items" => a => { a.Takes(); return d.Select(p => (object?)new JinjaTuple([p.Key, p.Value])).ToList(); },
        "keys" => a => { a.Takes(); return d.Keys.Select(k => (object?)k).ToList(); },
        "values" => a => { a.Takes(); return d.Values.ToList(); },
        "copy" => a => { a.Takes(); return new OrderedDictionary<string, object?>(d); },
        _ => null,
    };

    private static Func<JinjaArguments, object?>? ListMethod(List<object?> l, string name) => name switch
    {
        "index" => a =>
        {
            a.Takes("value");
            int i = l.FindIndex(x => JinjaValues.PyEquals(x, a.Get(0, "value", null)));
            return i >= 0 ? (long)i : throw new InvalidOperationException($"{JinjaValues.Repr(a.Get(0, "value", null))} is not in list");
        },
        "count" => a => { a.Takes("value"); return (long)l.Count(x => JinjaValues.PyEquals(x, a.Get(0, "value", null))); },
        "copy" => a => { a.Takes(); return l.ToList(); },
        _ => null,
    };

    private static Func<JinjaArguments, object?>? StringMethod(string s, string name) => name switch
    {
        "strip" => a => Strip(s, a.Takes("chars").String(0, "chars", null), true, true),
        "lstrip" => a => Strip(s, a.Takes("chars").String(0, "chars", null), true, false),
        "rstrip" => a => Strip(s, a.Takes("chars").String(0, "chars", null), false, true),
        "split" => a => Split(s, a.Takes("sep", "maxsplit").String(0, "sep", null), a.Long(1, "maxsplit", -1) ?? -1),
        "startswith" => a => Affix(s, a.Takes("prefix").Get(0, "prefix", null), "startswith", (x, p) => x.StartsWith(p, StringComparison.Ordinal)),
        "endswith" => a => Affix(s, a.Takes("suffix").Get(0, "suffix", null), "endswith", (x, p) => x.EndsWith(p, StringComparison.Ordinal)),
        "upper" => a => { a.Takes(); return s.ToUpperInvariant(); },
        "lower" => a => { a.Takes(); return s.ToLowerInvariant(); },
        "capitalize" => a => { a.Takes(); return Capitalize(s); },
        "title" => a => { a.Takes(); return Title(s); },
        "replace" => a =>
        {
            a.Takes("old", "new", "count");
            return Replace(s, a.String(0, "old", null) ?? throw new InvalidOperationException("replace() needs old"),
                a.String(1, "new", null) ?? throw new InvalidOperationException("replace() needs new"), a.Long(2, "count", -1) ?? -1);
        },
        "find" => a => { a.Takes("sub"); return (long)RuneIndex(s, s.IndexOf(a.String(0, "sub", "") ?? "", StringComparison.Ordinal)); },
        "count" => a => { a.Takes("sub"); return (long)CountOccurrences(s, a.String(0, "sub", "") ?? ""); },
        "join" => a =>
        {
            a.Takes("iterable");
            var items = JinjaValues.Iterate(a.Get(0, "iterable", null)) ?? throw new InvalidOperationException("join() needs an iterable");
            return string.Join(s, items.Select(i => i as string ?? throw new InvalidOperationException($"join(): expected str items, found {JinjaValues.TypeName(i)}")));
        },
        _ => null,
    };

    private static object Affix(string s, object? arg, string fn, Func<string, string, bool> test) => arg switch
    {
        string p => test(s, p),
        List<object?> l => l.Any(x => x is string p ? test(s, p) : throw new InvalidOperationException($"{fn}(): tuple items must be str")),
        _ => throw new InvalidOperationException($"{fn}() first arg must be str or a tuple of str, not {JinjaValues.TypeName(arg)}"),
    };

    private static int RuneIndex(string s, int utf16Index) => utf16Index < 0 ? -1 : JinjaValues.Length(s[..utf16Index]);

    private static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0) return JinjaValues.Length(s) + 1;
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Python's str.strip/lstrip/rstrip: whitespace by default, else any of <paramref name="chars"/>.</summary>
    public static string Strip(string s, string? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars is null ? JinjaLexer.IsPythonSpace : c => chars.Contains(c);
        int start = 0, end = s.Length;
        if (left) while (start < end && strip(s[start])) start++;
        if (right) while (end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>Python's str.split: on runs of whitespace without a separator, else on each separator.</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var result = new List<object?>();
        if (sep is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && JinjaLexer.IsPythonSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && result.Count == maxSplit)
                {
                    result.Add(Strip(s[i..], null, false, true));
                    break;
                }
                int j = i;
                while (j < s.Length && !JinjaLexer.IsPythonSpace(s[j])) j++;
                result.Add(s[i..j]);
                i = j;
            }
            return result;
        }
        if (sep.Length == 0) throw new InvalidOperationException("empty separator");
        int from = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            int at = s.IndexOf(sep, from, StringComparison.Ordinal);
            if (at < 0) break;
            result.Add(s[from..at]);
            from = at + sep.Length;
        }
        result.Add(s[from..]);
        return result;
    }

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count == 0) return s;
        var sb = new StringBuilder();
        long done = 0;
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            foreach (var r in s.EnumerateRunes())
            {
                if (count < 0 || done < count) { sb.Append(replacement); done++; }
                sb.Append(r.ToString());
            }
            if (count < 0 || done < count) sb.Append(replacement);
            return sb.ToString();
        }
        int from = 0;
        while (count < 0 || done < count)
        {
            int at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0) break;
            sb.Append(s, from, at - from).Append(replacement);
            from = at + old.Length;
            done++;
        }
        return sb.Append(s, from, s.Length - from).ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's str.title: a letter after a non-letter is upper-cased, every other letter lower-cased.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            sb.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }
        return sb.ToString();
    }
}
