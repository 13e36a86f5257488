namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>Jinja2's tests (<c>x is defined</c>, <c>x is not none</c>, <c>x is string</c>...) with Python's type rules.</summary>
internal static class JinjaTests
{
    public static readonly HashSet<string> Names =
    [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string", "mapping",
        "iterable", "sequence", "callable", "lower", "upper", "odd", "even", "divisibleby", "equalto", "eq", "ne",
        "lt", "le", "gt", "ge", "in", "sameas",
    ];

    public static bool Apply(string name, object? v, List<object?> args)
    {
        object? Arg() => args.Count == 1 ? args[0] : throw new InvalidOperationException($"the test '{name}' takes one argument, got {args.Count}");
        if (name is not ("divisibleby" or "equalto" or "eq" or "ne" or "lt" or "le" or "gt" or "ge" or "in" or "sameas") && args.Count > 0)
            throw new InvalidOperationException($"the test '{name}' takes no argument");
        int Order() => JinjaValues.Compare(v, Arg()) ?? throw new InvalidOperationException(
            $"the test '{name}' cannot order '{JinjaValues.TypeName(v)}' and '{JinjaValues.TypeName(args[0])}'");
        return name switch
        {
            "defined" => v is not JinjaUndefined,
            "undefined" => v is JinjaUndefined,
            "none" => v is null,
            "boolean" => v is bool,
            "true" => v is true,
            "false" => v is false,
            "integer" => v is long,
            "float" => v is double,
            "number" => v is long or double or bool,
            "string" => v is string,
            "mapping" => v is OrderedDictionary<string, object?>,
            "iterable" or "sequence" => v is string or List<object?> or OrderedDictionary<string, object?> or JinjaUndefined,
            "callable" => v is JinjaCallable,
            "lower" => IsCase(JinjaValues.Str(v), lower: true),
            "upper" => IsCase(JinjaValues.Str(v), lower: false),
            "odd" => Integer(v, name) % 2 != 0,
            "even" => Integer(v, name) % 2 == 0,
            "divisibleby" => Integer(Arg(), name) is long d && d != 0 ? Integer(v, name) % d == 0 : throw new InvalidOperationException("divisibleby(0)"),
            "equalto" or "eq" => JinjaValues.PyEquals(v, Arg()),
            "ne" => !JinjaValues.PyEquals(v, Arg()),
            "lt" => Order() < 0,
            "le" => Order() <= 0,
            "gt" => Order() > 0,
            "ge" => Order() >= 0,
            "in" => Arg() switch
            {
                string s => v is string sub && s.Contains(sub, StringComparison.Ordinal),
                List<object?> l => l.Any(x => JinjaValues.PyEquals(x, v)),
                OrderedDictionary<string, object?> d => v is string k && d.ContainsKey(k),
                var other => throw new InvalidOperationException($"argument of type '{JinjaValues.TypeName(other)}' is not iterable"),
            },
            "sameas" => SameAs(v, Arg()),
            _ => throw new InvalidOperationException($"the test '{name}' is not supported by this Jinja interpreter"),
        };
    }

    /// <summary>Python's <c>is</c>: None and booleans are singletons, and CPython caches the ints -5..256.</summary>
    private static bool SameAs(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (long x, long y) => x == y && x is >= -5 and <= 256,
        _ => a is not null && ReferenceEquals(a, b),
    };

    private static long Integer(object? v, string test) => v is long or bool ? JinjaValues.AsLong(v)
        : throw new InvalidOperationException($"the test '{test}' needs an integer, not {JinjaValues.TypeName(v)}");

    /// <summary>Python's islower/isupper: at least one cased character and none of the other case.</summary>
    private static bool IsCase(string s, bool lower)
    {
        bool cased = false;
        foreach (char c in s)
        {
            if (char.IsUpper(c)) { if (lower) return false; cased = true; }
            else if (char.IsLower(c)) { if (!lower) return false; cased = true; }
        }
        return cased;
    }
}
