using System.Globalization;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>Expressions: names, attribute and item access, slices, calls, Python's operators, filters and tests.</summary>
internal sealed partial class JinjaRenderer
{
    private object? Eval(JinjaExpr e, Scope scope)
    {
        _line = e.Line;
        switch (e)
        {
            case LiteralExpr l: return l.Value;
            case NameExpr n: return scope.TryGet(n.Name, out var v) ? v : new JinjaUndefined($"'{n.Name}' is undefined");
            case ListExpr l:
                var items = l.Items.Select(i => Eval(i, scope));
                return l.IsTuple ? new JinjaTuple(items) : items.ToList();
            case DictExpr d:
                var dict = new OrderedDictionary<string, object?>();
                foreach (var (k, val) in d.Items)
                    dict[Eval(k, scope) as string ?? throw Error("dict literal keys must be strings here")] = Eval(val, scope);
                return dict;
            case AttributeExpr a: return GetAttribute(Eval(a.Target, scope), a.Name);
            case ItemExpr i: return GetItem(Eval(i.Target, scope), Eval(i.Key, scope));
            case SliceExpr s: return Slice(Eval(s.Target, scope), Index(s.Start, scope), Index(s.Stop, scope), Index(s.Step, scope));
            case CallExpr c:
                var callee = Eval(c.Callee, scope);
                var (positional, keyword) = EvalArguments(c.Args, scope);
                _line = c.Line;
                return callee switch
                {
                    JinjaCallable fn => fn.Function(positional, keyword),
                    JinjaUndefined u => throw Error(u.Hint),
                    _ => throw Error($"'{JinjaValues.TypeName(callee)}' object is not callable"),
                };
            case FilterExpr f: return ApplyFilter(f, Eval(f.Operand!, scope), scope);
            case TestExpr t:
                var operand = Eval(t.Operand, scope);
                var (testArgs, _) = EvalArguments(t.Args, scope);
                _line = t.Line;
                return JinjaTests.Apply(t.Name, operand, testArgs) != t.Negated;
            case UnaryExpr u:
                var value = Eval(u.Operand, scope);
                return u.Op switch
                {
                    "not" => !JinjaValues.Truthy(value),
                    "-" => value switch { long x => (object)checked(-x), double x => -x, bool b => b ? -1L : 0L, _ => throw BadOperand("unary -", value) },
                    _ => value switch { long or double => value, bool b => b ? 1L : 0L, _ => throw BadOperand("unary +", value) },
                };
            case BinaryExpr b:
                var left = Eval(b.Left, scope);
                if (b.Op == "and") return JinjaValues.Truthy(left) ? Eval(b.Right, scope) : left;
                if (b.Op == "or") return JinjaValues.Truthy(left) ? left : Eval(b.Right, scope);
                var right = Eval(b.Right, scope);
                _line = b.Line;
                return Binary(b.Op, left, right);
            case CompareExpr c:
                var current = Eval(c.First, scope);
                foreach (var (op, rightExpr) in c.Rest)
                {
                    var next = Eval(rightExpr, scope);
                    _line = c.Line;
                    if (!CompareOp(op, current, next)) return false;
                    current = next;
                }
                return true;
            case ConditionalExpr ce:
                if (JinjaValues.Truthy(Eval(ce.Test, scope))) return Eval(ce.Then, scope);
                return ce.Else is null ? new JinjaUndefined("the conditional expression has no else branch") : Eval(ce.Else, scope);
            default:
                throw Error($"unknown expression {e.GetType().Name}");
        }
    }

    private object? ApplyFilter(FilterExpr f, object? value, Scope scope)
    {
        var (positional, keyword) = EvalArguments(f.Args, scope);
        _line = f.Line;
        return JinjaFilters.Apply(f.Name, value, new JinjaArguments(f.Name, positional, keyword));
    }

    private long? Index(JinjaExpr? e, Scope scope)
    {
        if (e is null) return null;
        return Eval(e, scope) switch
        {
            null => null,
            long l => l,
            bool b => b ? 1 : 0,
            var other => throw Error($"slice indices must be integers or None, not {JinjaValues.TypeName(other)}"),
        };
    }

    private ChatTemplateException BadOperand(string op, object? value) =>
        value is JinjaUndefined u ? Error(u.Hint) : Error($"bad operand type for {op}: '{JinjaValues.TypeName(value)}'");

    private ChatTemplateException BadOperands(string op, object? a, object? b) =>
        a is JinjaUndefined ua ? Error(ua.Hint) : b is JinjaUndefined ub ? Error(ub.Hint)
        : Error($"unsupported operand types for {op}: '{JinjaValues.TypeName(a)}' and '{JinjaValues.TypeName(b)}'");

    private object? Binary(string op, object? a, object? b)
    {
        if (op == "~") return JinjaValues.Str(a) + JinjaValues.Str(b);
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b))
        {
            bool isFloat = a is double || b is double;
            if (op == "/")
            {
                double den = JinjaValues.AsDouble(b);
                return den == 0 ? throw Error("division by zero") : JinjaValues.AsDouble(a) / den;
            }
            if (op == "**")
            {
                if (!isFloat && JinjaValues.AsLong(b) >= 0) return checked((long)Math.Pow(JinjaValues.AsLong(a), JinjaValues.AsLong(b)));
                return Math.Pow(JinjaValues.AsDouble(a), JinjaValues.AsDouble(b));
            }
            if (isFloat)
            {
                double x = JinjaValues.AsDouble(a), y = JinjaValues.AsDouble(b);
                if (op is "//" or "%" && y == 0) throw Error("float division by zero");
                return op switch
                {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "//" => Math.Floor(x / y),
                    "%" => x - (y * Math.Floor(x / y)),
                    _ => throw BadOperands(op, a, b),
                };
            }
            long p = JinjaValues.AsLong(a), q = JinjaValues.AsLong(b);
            if (op is "//" or "%" && q == 0) throw Error("integer division or modulo by zero");
            return op switch
            {
                "+" => checked(p + q),
                "-" => checked(p - q),
                "*" => checked(p * q),
                "//" => FloorDiv(p, q),
                "%" => p - (q * FloorDiv(p, q)),
                _ => throw BadOperands(op, a, b),
            };
        }
        switch (op, a, b)
        {
            case ("+", string x, string y): return x + y;
            case ("+", JinjaTuple x, JinjaTuple y): return new JinjaTuple(x.Concat(y));
            case ("+", List<object?> x, List<object?> y) when x is not JinjaTuple && y is not JinjaTuple: return x.Concat(y).ToList();
            case ("*", string x, long n): return string.Concat(Enumerable.Repeat(x, (int)Math.Max(0, n)));
            case ("*", List<object?> x, long n): return Enumerable.Repeat(x, (int)Math.Max(0, n)).SelectMany(l => l).ToList();
            case ("%", string, _): throw Error("printf-style string formatting ('...' % value) is not supported by this Jinja interpreter");
            default: throw BadOperands(op, a, b);
        }
    }

    private static long FloorDiv(long p, long q)
    {
        long d = p / q;
        return (p % q != 0) && ((p < 0) != (q < 0)) ? d - 1 : d;
    }

    private bool CompareOp(string op, object? a, object? b)
    {
        switch (op)
        {
            case "==": return JinjaValues.PyEquals(a, b);
            case "!=": return !JinjaValues.PyEquals(a, b);
            case "in": return Contains(b, a);
            case "not in": return !Contains(b, a);
        }
        int c = JinjaValues.Compare(a, b) ?? throw (a is JinjaUndefined || b is JinjaUndefined ? BadOperands(op, a, b)
            : Error($"'{op}' not supported between instances of '{JinjaValues.TypeName(a)}' and '{JinjaValues.TypeName(b)}'"));
        return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
    }

    private bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal)
            : throw Error($"'in <string>' requires string as left operand, not {JinjaValues.TypeName(item)}"),
        List<object?> l => l.Any(x => JinjaValues.PyEquals(x, item)),
        OrderedDictionary<string, object?> d => item is string k && d.ContainsKey(k),
        JinjaUndefined => false,
        _ => throw Error($"argument of type '{JinjaValues.TypeName(container)}' is not iterable"),
    };

    private object? GetAttribute(object? obj, string name)
    {
        switch (obj)
        {
            case JinjaUndefined u: throw Error(u.Hint);
            case OrderedDictionary<string, object?> d:
                if (JinjaMethods.TryBind(d, name, out var dm)) return dm;
                return d.TryGetValue(name, out var v) ? v : new JinjaUndefined($"'dict object' has no attribute '{name}'");
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var nv) ? nv : new JinjaUndefined($"'Namespace' has no attribute '{name}'");
            case JinjaLoop loop:
                return LoopAttribute(loop, name);
            default:
                return JinjaMethods.TryBind(obj, name, out var m) ? m : new JinjaUndefined($"'{JinjaValues.TypeName(obj)} object' has no attribute '{name}'");
        }
    }

    private object? GetItem(object? obj, object? key)
    {
        switch (obj, key)
        {
            case (JinjaUndefined u, _): throw Error(u.Hint);
            case (OrderedDictionary<string, object?> d, string k):
                return d.TryGetValue(k, out var v) ? v : new JinjaUndefined($"'dict object' has no attribute '{k}'");
            case (List<object?> l, long or bool):
                long i = JinjaValues.AsLong(key);
                if (i < 0) i += l.Count;
                return i >= 0 && i < l.Count ? l[(int)i] : new JinjaUndefined($"'{JinjaValues.TypeName(obj)} object' has no element {JinjaValues.Repr(key)}");
            case (string s, long or bool):
                var runes = s.EnumerateRunes().ToList();
                long j = JinjaValues.AsLong(key);
                if (j < 0) j += runes.Count;
                return j >= 0 && j < runes.Count ? runes[(int)j].ToString() : new JinjaUndefined($"'str object' has no element {JinjaValues.Repr(key)}");
            case (_, string name):
                return GetAttribute(obj, name);
            default:
                return new JinjaUndefined($"'{JinjaValues.TypeName(obj)} object' has no element {JinjaValues.Repr(key)}");
        }
    }

    private object? Slice(object? obj, long? start, long? stop, long? step)
    {
        long st = step ?? 1;
        if (st == 0) throw Error("slice step cannot be zero");
        List<object?> items = obj switch
        {
            string s => [.. s.EnumerateRunes().Select(r => (object?)r.ToString())],
            List<object?> l => l,
            JinjaUndefined u => throw Error(u.Hint),
            _ => throw Error($"'{JinjaValues.TypeName(obj)}' object is not subscriptable"),
        };
        long n = items.Count;
        long Clamp(long? v, long dflt, long lo, long hi)
        {
            if (v is null) return dflt;
            long x = v.Value < 0 ? v.Value + n : v.Value;
            return Math.Clamp(x, lo, hi);
        }
        long from = st > 0 ? Clamp(start, 0, 0, n) : Clamp(start, n - 1, -1, n - 1);
        long to = st > 0 ? Clamp(stop, n, 0, n) : Clamp(stop, -1, -1, n - 1);
        var result = new List<object?>();
        for (long k = from; st > 0 ? k < to : k > to; k += st) result.Add(items[(int)k]);
        return obj switch
        {
            string => string.Concat(result.Cast<string>()),
            JinjaTuple => new JinjaTuple(result),
            _ => result,
        };
    }

    private object? LoopAttribute(JinjaLoop loop, string name)
    {
        int i = loop.Index0, n = loop.Items.Count;
        return name switch
        {
            "index" => (long)(i + 1),
            "index0" => (long)i,
            "revindex" => (long)(n - i),
            "revindex0" => (long)(n - i - 1),
            "first" => i == 0,
            "last" => i == n - 1,
            "length" => (long)n,
            "previtem" => i > 0 ? loop.Items[i - 1] : new JinjaUndefined("there is no previous item"),
            "nextitem" => i < n - 1 ? loop.Items[i + 1] : new JinjaUndefined("there is no next item"),
            "cycle" => new JinjaCallable("loop.cycle", (args, _) => args.Count == 0 ? throw Error("no items for cycling given") : args[i % args.Count]),
            _ => throw Error($"loop.{name} is not supported by this Jinja interpreter"),
        };
    }

    private void AddGlobals(Scope globals)
    {
        globals.Set("raise_exception", new JinjaCallable("raise_exception", (args, _) =>
            throw new ChatTemplateRaisedException(_name, _line, args.Count > 0 ? JinjaValues.Str(args[0]) : "")));
        globals.Set("range", new JinjaCallable("range", (args, _) =>
        {
            var n = args.Select(a => a is long or bool ? JinjaValues.AsLong(a) : throw Error($"range() takes integers, not {JinjaValues.TypeName(a)}")).ToArray();
            (long start, long stop, long step) = n.Length switch
            {
                1 => (0L, n[0], 1L),
                2 => (n[0], n[1], 1L),
                3 => (n[0], n[1], n[2]),
                _ => throw Error($"range expected 1 to 3 arguments, got {n.Length}"),
            };
            if (step == 0) throw Error("range() arg 3 must not be zero");
            var result = new List<object?>();
            for (long k = start; step > 0 ? k < stop : k > stop; k += step)
            {
                result.Add(k);
                if (result.Count > 100_000) throw Error("range() is too long (over 100,000 items)");
            }
            return result;
        }));
        globals.Set("namespace", new JinjaCallable("namespace", (args, kwargs) =>
        {
            var ns = new JinjaNamespace();
            foreach (var a in args)
            {
                if (a is not OrderedDictionary<string, object?> d) throw Error("namespace() takes a dict or keyword arguments");
                foreach (var (k, v) in d) ns.Attributes[k] = v;
            }
            foreach (var (k, v) in kwargs) ns.Attributes[k] = v;
            return ns;
        }));
        globals.Set("dict", new JinjaCallable("dict", (args, kwargs) =>
        {
            if (args.Count > 0) throw Error("dict() takes keyword arguments only here");
            var d = new OrderedDictionary<string, object?>();
            foreach (var (k, v) in kwargs) d[k] = v;
            return d;
        }));
        globals.Set("strftime_now", new JinjaCallable("strftime_now", (args, _) =>
            args.Count == 1 && args[0] is string format ? Strftime(format) : throw Error("strftime_now(format) takes one string")));
    }

    /// <summary>Python's <c>datetime.now().strftime(format)</c> for the directives chat templates use (C locale).</summary>
    private string Strftime(string format)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { sb.Append(format[i]); continue; }
            char d = format[++i];
            var c = CultureInfo.InvariantCulture;
            sb.Append(d switch
            {
                'Y' => _now.Year.ToString("0000", c),
                'y' => (_now.Year % 100).ToString("00", c),
                'm' => _now.Month.ToString("00", c),
                'd' => _now.Day.ToString("00", c),
                'H' => _now.Hour.ToString("00", c),
                'I' => ((_now.Hour + 11) % 12 + 1).ToString("00", c),
                'M' => _now.Minute.ToString("00", c),
                'S' => _now.Second.ToString("00", c),
                'p' => _now.Hour < 12 ? "AM" : "PM",
                'b' => _now.ToString("MMM", c),
                'B' => _now.ToString("MMMM", c),
                'a' => _now.ToString("ddd", c),
                'A' => _now.ToString("dddd", c),
                'j' => _now.DayOfYear.ToString("000", c),
                '%' => "%",
                _ => throw Error($"strftime_now: the directive %{d} is not supported by this Jinja interpreter"),
            });
        }
        return sb.ToString();
    }
}
