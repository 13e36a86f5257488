using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>Jinja2's Undefined: renders as nothing, is false, iterates as empty, and fails on any other use with its hint.</summary>
internal sealed class JinjaUndefined(string hint)
{
    public string Hint { get; } = hint;
}

/// <summary>A tuple (Python prints it with parentheses; otherwise it behaves as a list here).</summary>
internal sealed class JinjaTuple(IEnumerable<object?> items) : List<object?>(items);

/// <summary><c>namespace(...)</c>: the one object a template may assign attributes on from inside a loop.</summary>
internal sealed class JinjaNamespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = [];
}

/// <summary>A function a template can call: globals, macros, bound methods. Keyword arguments keep their order.</summary>
internal delegate object? JinjaFunction(List<object?> positional, List<KeyValuePair<string, object?>> keyword);

internal sealed class JinjaCallable(string name, JinjaFunction function)
{
    public string Name { get; } = name;
    public JinjaFunction Function { get; } = function;
}

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class JinjaLoop(List<object?> items)
{
    public List<object?> Items { get; } = items;
    public int Index0 { get; set; }
}

/// <summary>Python's view of the values a template handles: str(), repr(), truth, equality, ordering, json.dumps.</summary>
internal static class JinjaValues
{
    public static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number => Number(e),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ToDictionary(e),
        _ => throw new InvalidDataException($"unexpected JSON value kind {e.ValueKind}"),
    };

    /// <summary>An integer stays an int (Python's json.loads keeps 1 and 1.0 apart).</summary>
    private static object Number(JsonElement e)
    {
        string raw = e.GetRawText();
        bool integral = raw.IndexOfAny(['.', 'e', 'E']) < 0;
        return integral && e.TryGetInt64(out long l) ? (object)l : e.GetDouble();
    }

    private static OrderedDictionary<string, object?> ToDictionary(JsonElement e)
    {
        var d = new OrderedDictionary<string, object?>();
        foreach (var p in e.EnumerateObject()) d[p.Name] = FromJson(p.Value);
        return d;
    }

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        JinjaUndefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        JinjaTuple => "tuple",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        JinjaNamespace => "Namespace",
        JinjaCallable => "function",
        JinjaLoop => "LoopContext",
        _ => v.GetType().Name,
    };

    public static bool Truthy(object? v) => v switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        OrderedDictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str(v)</c>; Undefined renders as the empty string.</summary>
    public static string Str(object? v) => v switch
    {
        string s => s,
        JinjaUndefined => "",
        _ => Repr(v),
    };

    public static string Repr(object? v) => v switch
    {
        null => "None",
        JinjaUndefined => "",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => StringRepr(s),
        JinjaTuple t => t.Count == 1 ? $"({Repr(t[0])},)" : "(" + string.Join(", ", t.Select(Repr)) + ")",
        List<object?> l => "[" + string.Join(", ", l.Select(Repr)) + "]",
        OrderedDictionary<string, object?> d => "{" + string.Join(", ", d.Select(p => $"{StringRepr(p.Key)}: {Repr(p.Value)}")) + "}",
        JinjaNamespace n => "<Namespace {" + string.Join(", ", n.Attributes.Select(p => $"{StringRepr(p.Key)}: {Repr(p.Value)}")) + "}>",
        JinjaCallable c => $"<function {c.Name}>",
        _ => throw new InvalidOperationException($"cannot print a {TypeName(v)}"),
    };

    /// <summary>Python's float repr: the shortest round-trip digits, fixed notation for exponents -4..15.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        string shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        // Digits and decimal exponent of the shortest round-trip form.
        int ePos = shortest.IndexOf('E', StringComparison.Ordinal);
        string mantissa = ePos < 0 ? shortest : shortest[..ePos];
        int exp10 = ePos < 0 ? 0 : int.Parse(shortest[(ePos + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        int pointAt = (dot < 0 ? mantissa.Length : dot) + exp10;
        int lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointAt -= lead;
        if (digits.Length == 0) digits = "0";
        int sciExp = pointAt - 1;
        string sign = d < 0 ? "-" : "";
        if (sciExp is >= -4 and < 16)
        {
            string text = pointAt <= 0 ? "0." + new string('0', -pointAt) + digits
                : pointAt >= digits.Length ? digits + new string('0', pointAt - digits.Length) + ".0"
                : digits[..pointAt] + "." + digits[pointAt..];
            return sign + text;
        }
        string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return $"{sign}{m}e{(sciExp < 0 ? "-" : "+")}{Math.Abs(sciExp):00}";
    }

    public static string StringRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == quote || c == '\\') sb.Append('\\').Append((char)c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            else if (c > 0x7f && !IsPrintable(rune))
                sb.Append(c < 0x100 ? $"\\x{c:x2}" : c < 0x10000 ? $"\\u{c:x4}" : $"\\U{c:x8}");
            else sb.Append(rune.ToString());
        }
        return sb.Append(quote).ToString();
    }

    private static bool IsPrintable(Rune r) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse => r.Value == ' ',
        _ => true,
    };

    public static bool IsNumber(object? v) => v is long or double or bool;

    public static double AsDouble(object? v) => v switch { long l => l, double d => d, bool b => b ? 1 : 0, _ => double.NaN };

    /// <summary>Python's <c>==</c>: 1 == 1.0 == True, element-wise for lists and dicts, Undefined equals only Undefined.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined) return a is JinjaUndefined && b is JinjaUndefined;
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b)) return a is double || b is double ? AsDouble(a) == AsDouble(b) : AsLong(a) == AsLong(b);
        if (a is string sa && b is string sb) return sa == sb;
        if (a is List<object?> la && b is List<object?> lb)
            return (a is JinjaTuple) == (b is JinjaTuple) && la.Count == lb.Count && la.Zip(lb).All(p => PyEquals(p.First, p.Second));
        if (a is OrderedDictionary<string, object?> da && b is OrderedDictionary<string, object?> db)
            return da.Count == db.Count && da.All(p => db.TryGetValue(p.Key, out var v) && PyEquals(p.Value, v));
        return ReferenceEquals(a, b);
    }

    public static long AsLong(object? v) => v switch { long l => l, bool b => b ? 1 : 0, _ => throw new InvalidOperationException() };

    /// <summary>Python's ordering for <c>&lt;</c> and sorting; null when the types cannot be ordered.</summary>
    public static int? Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a).CompareTo(AsDouble(b)) : AsLong(a).CompareTo(AsLong(b));
        if (a is string sa && b is string sb) return Math.Sign(ComparePythonStrings(sa, sb));
        if (a is List<object?> la && b is List<object?> lb)
        {
            for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (PyEquals(la[i], lb[i])) continue;
                return Compare(la[i], lb[i]);
            }
            return la.Count.CompareTo(lb.Count);
        }
        return null;
    }

    /// <summary>Code point order, as Python compares strings (UTF-16 order differs above U+FFFF).</summary>
    public static int ComparePythonStrings(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            bool ha = ea.MoveNext(), hb = eb.MoveNext();
            if (!ha || !hb) return ha ? 1 : hb ? -1 : 0;
            int c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) return c;
        }
    }

    /// <summary>The items a for loop or a filter iterates: list items, dict keys, string characters; Undefined is empty.</summary>
    public static List<object?>? Iterate(object? v) => v switch
    {
        JinjaUndefined => [],
        string s => [.. s.EnumerateRunes().Select(r => (object?)r.ToString())],
        List<object?> l => [.. l],
        OrderedDictionary<string, object?> d => [.. d.Keys],
        _ => null,
    };

    public static int Length(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
