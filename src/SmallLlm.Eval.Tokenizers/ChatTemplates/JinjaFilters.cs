using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// Jinja2's filters that chat templates use, with transformers' <c>tojson</c>. A filter not listed in
/// <see cref="Names"/> is refused when the template is parsed.
/// </summary>
internal static class JinjaFilters
{
    public static readonly HashSet<string> Names =
    [
        "trim", "tojson", "length", "count", "upper", "lower", "capitalize", "title", "replace", "join", "map", "select",
        "reject", "selectattr", "rejectattr", "default", "d", "first", "last", "items", "string", "int", "float", "list",
        "abs", "reverse", "safe",
    ];

    public static object? Apply(string name, object? v, JinjaArguments a)
    {
        switch (name)
        {
            case "safe": a.Takes(); return v;
            case "trim": return JinjaMethods.Strip(JinjaValues.Str(v), a.Takes("chars").String(0, "chars", null), true, true);
            case "upper": a.Takes(); return JinjaValues.Str(v).ToUpperInvariant();
            case "lower": a.Takes(); return JinjaValues.Str(v).ToLowerInvariant();
            case "capitalize": a.Takes(); return JinjaMethods.Capitalize(JinjaValues.Str(v));
            case "title": a.Takes(); return Title(JinjaValues.Str(v));
            case "string": a.Takes(); return JinjaValues.Str(v);
            case "length" or "count":
                a.Takes();
                return v switch
                {
                    string s => (long)JinjaValues.Length(s),
                    List<object?> l => (long)l.Count,
                    OrderedDictionary<string, object?> d => (long)d.Count,
                    JinjaNamespace ns => (long)ns.Attributes.Count,
                    JinjaUndefined => 0L,
                    _ => throw new InvalidOperationException($"object of type '{JinjaValues.TypeName(v)}' has no len()"),
                };
            case "replace":
                a.Takes("old", "new", "count");
                return JinjaMethods.Replace(JinjaValues.Str(v), a.String(0, "old", null) ?? throw new InvalidOperationException("replace needs old"),
                    a.String(1, "new", null) ?? throw new InvalidOperationException("replace needs new"), a.Long(2, "count", -1) ?? -1);
            case "tojson": return ToJson(v, a.Takes("ensure_ascii", "indent", "separators", "sort_keys"));
            case "join":
                a.Takes("d", "attribute");
                string sep = JinjaValues.Str(a.Get(0, "d", ""));
                var joined = Items(v, name);
                if (a.Get(1, "attribute", null) is { } attribute) joined = [.. joined.Select(i => Attribute(i, attribute))];
                return string.Join(sep, joined.Select(JinjaValues.Str));
            case "default" or "d":
                a.Takes("default_value", "boolean");
                bool useDefault = a.Bool(1, "boolean", false) ? !JinjaValues.Truthy(v) : v is JinjaUndefined;
                return useDefault ? a.Get(0, "default_value", "") : v;
            case "first":
                a.Takes();
                var first = Items(v, name);
                return first.Count > 0 ? first[0] : new JinjaUndefined("No first item, sequence was empty.");
            case "last":
                a.Takes();
                var last = Items(v, name);
                return last.Count > 0 ? last[^1] : new JinjaUndefined("No last item, sequence was empty.");
            case "items":
                a.Takes();
                return v switch
                {
                    JinjaUndefined => new List<object?>(),
                    OrderedDictionary<string, object?> d => d.Select(p => (object?)new JinjaTuple([p.Key, p.Value])).ToList(),
                    _ => throw new InvalidOperationException($"Can only get item pairs from a mapping, not {JinjaValues.TypeName(v)}"),
                };
            case "list": a.Takes(); return Items(v, name);
            case "reverse":
                a.Takes();
                if (v is string rs) return string.Concat(rs.EnumerateRunes().Reverse().Select(r => r.ToString()));
                var rev = Items(v, name);
                rev.Reverse();
                return rev;
            case "abs":
                a.Takes();
                return v switch { long l => (object)Math.Abs(l), double x => Math.Abs(x), bool b => b ? 1L : 0L, _ => throw new InvalidOperationException($"bad operand type for abs(): '{JinjaValues.TypeName(v)}'") };
            case "int": return ToInt(v, a.Takes("default", "base"));
            case "float": return ToFloat(v, a.Takes("default"));
            case "map": return Map(v, a);
            case "select" or "reject":
                return Select(Items(v, name), item => item, a.Positional, name == "select", name);
            case "selectattr" or "rejectattr":
                if (a.Positional.Count == 0) throw new InvalidOperationException($"{name}() needs an attribute name");
                string attr = JinjaValues.Str(a.Positional[0]);
                return Select(Items(v, name), item => Attribute(item, attr), a.Positional.Skip(1).ToList(), name == "selectattr", name);
            default:
                throw new InvalidOperationException($"the filter '{name}' is not supported by this Jinja interpreter");
        }
    }

    private static List<object?> Items(object? v, string filter) =>
        JinjaValues.Iterate(v) ?? throw new InvalidOperationException($"the filter '{filter}' needs a sequence, not {JinjaValues.TypeName(v)}");

    /// <summary>Jinja2's environment.getitem on a dotted path, as selectattr/map/join(attribute=) read one.</summary>
    private static object? Attribute(object? item, object? path)
    {
        foreach (string part in JinjaValues.Str(path).Split('.'))
        {
            item = item switch
            {
                OrderedDictionary<string, object?> d => d.TryGetValue(part, out var x) ? x : new JinjaUndefined($"'dict object' has no attribute '{part}'"),
                JinjaNamespace ns => ns.Attributes.TryGetValue(part, out var y) ? y : new JinjaUndefined($"'Namespace' has no attribute '{part}'"),
                List<object?> l when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) => i < l.Count ? l[i] : new JinjaUndefined($"no element {i}"),
                JinjaUndefined u => throw new InvalidOperationException(u.Hint),
                _ => new JinjaUndefined($"'{JinjaValues.TypeName(item)} object' has no attribute '{part}'"),
            };
        }
        return item;
    }

    private static List<object?> Select(List<object?> items, Func<object?, object?> pick, List<object?> testArgs, bool keep, string filter)
    {
        Func<object?, bool> test = JinjaValues.Truthy;
        if (testArgs.Count > 0)
        {
            string testName = testArgs[0] as string ?? throw new InvalidOperationException($"{filter}(): the test name must be a string");
            if (!JinjaTests.Names.Contains(testName)) throw new InvalidOperationException($"the test '{testName}' is not supported by this Jinja interpreter");
            var rest = testArgs.Skip(1).ToList();
            test = x => JinjaTests.Apply(testName, x, rest);
        }
        return [.. items.Where(i => test(pick(i)) == keep)];
    }

    private static List<object?> Map(object? v, JinjaArguments a)
    {
        var items = Items(v, "map");
        if (a.Positional.Count == 0)
        {
            object? attribute = a.Get(-1, "attribute", null) ?? throw new InvalidOperationException("map() needs a filter name or attribute=");
            bool hasDefault = a.Keyword.Any(k => k.Key == "default");
            object? fallback = a.Get(-1, "default", null);
            return [.. items.Select(i => Attribute(i, attribute) is JinjaUndefined u && hasDefault ? fallback : Attribute(i, attribute))];
        }
        string filter = a.Positional[0] as string ?? throw new InvalidOperationException("map(): the filter name must be a string");
        if (!Names.Contains(filter)) throw new InvalidOperationException($"the filter '{filter}' is not supported by this Jinja interpreter");
        var rest = new JinjaArguments(filter, [.. a.Positional.Skip(1)], a.Keyword);
        return [.. items.Select(i => Apply(filter, i, rest))];
    }

    private static string ToJson(object? v, JinjaArguments a)
    {
        string? indent = a.Get(1, "indent", null) switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            string s => s,
            var other => throw new InvalidOperationException($"tojson(): indent must be an integer or string, not {JinjaValues.TypeName(other)}"),
        };
        string item = indent is null ? ", " : ",", key = ": ";
        if (a.Get(2, "separators", null) is { } separators)
        {
            if (separators is not List<object?> { Count: 2 } pair || pair[0] is not string i || pair[1] is not string k)
                throw new InvalidOperationException("tojson(): separators must be a pair of strings");
            (item, key) = (i, k);
        }
        return JinjaJson.Dumps(v, new JinjaJson.Options(a.Bool(0, "ensure_ascii", false), indent, item, key, a.Bool(3, "sort_keys", false)));
    }

    private static object? ToInt(object? v, JinjaArguments a)
    {
        object? fallback = a.Get(0, "default", 0L);
        long numberBase = a.Long(1, "base", 10) ?? 10;
        switch (v)
        {
            case long or bool: return JinjaValues.AsLong(v);
            case double d: return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
            case string s:
                string t = s.Trim().Replace("_", "", StringComparison.Ordinal);
                if (numberBase == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
                if (numberBase == 16 && long.TryParse(t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t[2..] : t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long h)) return h;
                return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && double.IsFinite(f) ? (long)Math.Truncate(f) : fallback;
            default: return fallback;
        }
    }

    private static object? ToFloat(object? v, JinjaArguments a) => v switch
    {
        long or bool => (double)JinjaValues.AsLong(v),
        double d => d,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f) => f,
        _ => a.Get(0, "default", 0.0),
    };

    /// <summary>Jinja2's title filter: each word (split before '-', spaces and opening brackets) gets one capital.</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool wordStart = true;
        foreach (char c in s)
        {
            bool separator = c is '-' or '(' or '{' or '[' or '<' || char.IsWhiteSpace(c);
            sb.Append(separator ? c : wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            wordStart = separator;
        }
        return sb.ToString();
    }
}
