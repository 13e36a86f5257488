using System.Globalization;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// Jinja2's grammar (jinja2/parser.py) for the statements and expressions chat templates use. Operator precedence is
/// Jinja2's: <c>if-else</c> &lt; <c>or</c> &lt; <c>and</c> &lt; <c>not</c> &lt; comparisons and <c>in</c> &lt;
/// <c>+ -</c> &lt; <c>~</c> &lt; <c>* / // %</c> &lt; <c>**</c> &lt; unary sign &lt; filters and tests &lt; postfix.
/// Anything else (<c>raw</c>, <c>include</c>, <c>extends</c>, an unknown filter or test) is a named error.
/// </summary>
internal sealed class JinjaParser
{
    private readonly string _name;
    private readonly List<JinjaToken> _tokens;
    private int _pos;

    private JinjaParser(string name, List<JinjaToken> tokens)
    {
        _name = name;
        _tokens = tokens;
    }

    public static IReadOnlyList<JinjaStatement> Parse(string name, string source)
    {
        var parser = new JinjaParser(name, JinjaLexer.Tokenize(name, source));
        var body = parser.Statements(out string? end);
        if (end is not null) throw parser.Error($"'{{% {end} %}}' without a matching opening statement");
        return body;
    }

    private JinjaToken Current => _tokens[_pos];
    private JinjaToken Next() => _tokens[_pos++];
    private ChatTemplateException Error(string message) => new(_name, Current.Line, message);

    private static string Describe(JinjaToken t) => t.Kind switch
    {
        JinjaTokenKind.End => "the end of the template",
        JinjaTokenKind.BlockEnd => "'%}'",
        JinjaTokenKind.VariableEnd => "'}}'",
        JinjaTokenKind.String => $"the string '{t.Value}'",
        JinjaTokenKind.Text => "text",
        _ => $"'{t.Value}'",
    };

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op)) throw Error($"expected '{op}', found {Describe(Current)}");
        _pos++;
    }

    private void ExpectBlockEnd()
    {
        if (Current.Kind != JinjaTokenKind.BlockEnd) throw Error($"expected '%}}', found {Describe(Current)}");
        _pos++;
    }

    private string ExpectName()
    {
        if (Current.Kind != JinjaTokenKind.Name) throw Error($"expected a name, found {Describe(Current)}");
        return Next().Value;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _pos++;
        return true;
    }

    // ---- statements ----

    private static readonly HashSet<string> EndWords =
        ["endif", "elif", "else", "endfor", "endset", "endmacro", "endcall", "endfilter", "endgeneration"];

    /// <summary>Statements up to an end word (<c>endif</c>, <c>else</c>...), which is returned with its tag's '{%' and name consumed.</summary>
    private List<JinjaStatement> Statements(out string? end)
    {
        var body = new List<JinjaStatement>();
        while (true)
        {
            var t = Next();
            switch (t.Kind)
            {
                case JinjaTokenKind.End:
                    _pos--;
                    end = null;
                    return body;
                case JinjaTokenKind.Text:
                    body.Add(new TextStatement(t.Line, t.Value));
                    break;
                case JinjaTokenKind.VariableBegin:
                    body.Add(new OutputStatement(t.Line, Tuple(withCondition: true)));
                    if (Current.Kind != JinjaTokenKind.VariableEnd) throw Error($"expected '}}}}', found {Describe(Current)}");
                    _pos++;
                    break;
                case JinjaTokenKind.BlockBegin:
                    if (Current.Kind == JinjaTokenKind.Name && EndWords.Contains(Current.Value))
                    {
                        end = Next().Value;
                        return body;
                    }
                    body.AddRange(Statement());
                    break;
                default:
                    throw new ChatTemplateException(_name, t.Line, $"unexpected {Describe(t)}");
            }
        }
    }

    private List<JinjaStatement> Body(string what, params string[] ends)
    {
        var body = Statements(out string? end);
        if (end is null || !ends.Contains(end))
            throw Error($"'{what}' is not closed: expected {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}, found {(end is null ? "the end of the template" : $"'{{% {end} %}}'")}");
        return body;
    }

    private IEnumerable<JinjaStatement> Statement()
    {
        var t = Current;
        if (t.Kind != JinjaTokenKind.Name) throw Error($"expected a statement name after '{{%', found {Describe(t)}");
        _pos++;
        switch (t.Value)
        {
            case "if": return [If(t.Line)];
            case "for": return [For(t.Line)];
            case "set": return [Set(t.Line)];
            case "macro": return [Macro(t.Line)];
            case "call": return [CallBlock(t.Line)];
            case "filter": return [FilterBlock(t.Line)];
            case "break" or "continue":
                ExpectBlockEnd();
                return [new LoopControlStatement(t.Line, t.Value == "break")];
            case "generation":
                // transformers' AssistantTracker: {% generation %} marks assistant text for masks; the text renders unchanged.
                ExpectBlockEnd();
                var inner = Body("generation", "endgeneration");
                ExpectBlockEnd();
                return inner;
            default:
                throw new ChatTemplateException(_name, t.Line, $"the statement '{{% {t.Value} %}}' is not supported by this Jinja interpreter");
        }
    }

    private IfStatement If(int line)
    {
        var test = Expression();
        ExpectBlockEnd();
        var body = Statements(out string? end);
        switch (end)
        {
            case "endif":
                ExpectBlockEnd();
                return new IfStatement(line, test, body, []);
            case "elif":
                return new IfStatement(line, test, body, [If(_tokens[_pos - 1].Line)]);
            case "else":
                ExpectBlockEnd();
                var otherwise = Body("if", "endif");
                ExpectBlockEnd();
                return new IfStatement(line, test, body, otherwise);
            default:
                throw Error($"'if' is not closed: expected '{{% endif %}}', found {(end is null ? "the end of the template" : $"'{{% {end} %}}'")}");
        }
    }

    private ForStatement For(int line)
    {
        var target = AssignTarget(allowAttribute: false);
        if (!SkipName("in")) throw Error($"expected 'in' in the for loop, found {Describe(Current)}");
        var iterable = Tuple(withCondition: false);
        JinjaExpr? filter = SkipName("if") ? Expression() : null;
        if (Current.IsName("recursive")) throw Error("recursive for loops are not supported by this Jinja interpreter");
        ExpectBlockEnd();
        var body = Body("for", "endfor", "else");
        IReadOnlyList<JinjaStatement> otherwise = [];
        if (_tokens[_pos - 1].Value == "else")
        {
            ExpectBlockEnd();
            otherwise = Body("for", "endfor");
        }
        ExpectBlockEnd();
        return new ForStatement(line, target, iterable, filter, body, otherwise);
    }

    private SetStatement Set(int line)
    {
        var target = AssignTarget(allowAttribute: true);
        if (Current.IsOperator("="))
        {
            _pos++;
            var value = Tuple(withCondition: true);
            ExpectBlockEnd();
            return new SetStatement(line, target, value, []);
        }
        if (Current.IsOperator("|")) throw Error("a filter on a block set ('{% set x | filter %}') is not supported by this Jinja interpreter");
        ExpectBlockEnd();
        var body = Body("set", "endset");
        ExpectBlockEnd();
        return new SetStatement(line, target, null, body);
    }

    private JinjaExpr AssignTarget(bool allowAttribute)
    {
        int line = Current.Line;
        var names = new List<JinjaExpr>();
        do
        {
            string name = ExpectName();
            if (allowAttribute && Current.IsOperator("."))
            {
                _pos++;
                names.Add(new AttributeExpr(line, new NameExpr(line, name), ExpectName()));
            }
            else names.Add(new NameExpr(line, name));
        }
        while (Current.IsOperator(",") && Next().Kind == JinjaTokenKind.Operator);
        return names.Count == 1 ? names[0] : new ListExpr(line, names, IsTuple: true);
    }

    private List<MacroParameter> Parameters()
    {
        var result = new List<MacroParameter>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (result.Count > 0) ExpectOperator(",");
            if (Current.IsOperator(")")) break;
            string name = ExpectName();
            JinjaExpr? value = null;
            if (Current.IsOperator("="))
            {
                _pos++;
                value = Expression();
            }
            else if (result.Any(p => p.Default is not null)) throw Error($"parameter '{name}' without a default follows one with a default");
            result.Add(new MacroParameter(name, value));
        }
        _pos++;
        return result;
    }

    private MacroStatement Macro(int line)
    {
        string name = ExpectName();
        var parameters = Parameters();
        ExpectBlockEnd();
        var body = Body("macro", "endmacro");
        ExpectBlockEnd();
        return new MacroStatement(line, name, parameters, body);
    }

    private CallBlockStatement CallBlock(int line)
    {
        var callerParameters = Current.IsOperator("(") ? Parameters() : [];
        var call = Unary(withFilter: false) as CallExpr ?? throw new ChatTemplateException(_name, line, "'{% call %}' must be followed by a macro call");
        ExpectBlockEnd();
        var body = Body("call", "endcall");
        ExpectBlockEnd();
        return new CallBlockStatement(line, call, callerParameters, body);
    }

    private FilterBlockStatement FilterBlock(int line)
    {
        var filter = Filter(null, line);
        ExpectBlockEnd();
        var body = Body("filter", "endfilter");
        ExpectBlockEnd();
        return new FilterBlockStatement(line, filter, body);
    }

    // ---- expressions ----

    private JinjaExpr Tuple(bool withCondition)
    {
        int line = Current.Line;
        var first = withCondition ? Expression() : Or();
        if (!Current.IsOperator(",")) return first;
        var items = new List<JinjaExpr> { first };
        while (Current.IsOperator(","))
        {
            _pos++;
            if (Current.Kind is JinjaTokenKind.BlockEnd or JinjaTokenKind.VariableEnd || Current.IsOperator(")") || Current.IsName("if")) break;
            items.Add(withCondition ? Expression() : Or());
        }
        return new ListExpr(line, items, IsTuple: true);
    }

    private JinjaExpr Expression()
    {
        var expr = Or();
        while (Current.IsName("if"))
        {
            int line = Next().Line;
            var test = Or();
            var otherwise = SkipName("else") ? Expression() : null;
            expr = new ConditionalExpr(line, test, expr, otherwise);
        }
        return expr;
    }

    private JinjaExpr Or()
    {
        var left = And();
        while (Current.IsName("or")) left = new BinaryExpr(Next().Line, "or", left, And());
        return left;
    }

    private JinjaExpr And()
    {
        var left = Not();
        while (Current.IsName("and")) left = new BinaryExpr(Next().Line, "and", left, Not());
        return left;
    }

    private JinjaExpr Not() => Current.IsName("not") ? new UnaryExpr(Next().Line, "not", Not()) : Compare();

    private JinjaExpr Compare()
    {
        int line = Current.Line;
        var first = Math1();
        var rest = new List<(string, JinjaExpr)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=") rest.Add((Next().Value, Math1()));
            else if (Current.IsName("in")) { _pos++; rest.Add(("in", Math1())); }
            else if (Current.IsName("not") && _tokens[_pos + 1].IsName("in")) { _pos += 2; rest.Add(("not in", Math1())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(line, first, rest);
    }

    private JinjaExpr Math1()
    {
        var left = Concat();
        while (Current.IsOperator("+") || Current.IsOperator("-")) { var op = Next(); left = new BinaryExpr(op.Line, op.Value, left, Concat()); }
        return left;
    }

    private JinjaExpr Concat()
    {
        var left = Math2();
        while (Current.IsOperator("~")) left = new BinaryExpr(Next().Line, "~", left, Math2());
        return left;
    }

    private JinjaExpr Math2()
    {
        var left = Pow();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "*" or "/" or "//" or "%") { var op = Next(); left = new BinaryExpr(op.Line, op.Value, left, Pow()); }
        return left;
    }

    private JinjaExpr Pow()
    {
        var left = Unary(withFilter: true);
        while (Current.IsOperator("**")) left = new BinaryExpr(Next().Line, "**", left, Unary(withFilter: true));
        return left;
    }

    private JinjaExpr Unary(bool withFilter)
    {
        JinjaExpr node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var op = Next();
            node = new UnaryExpr(op.Line, op.Value, Unary(withFilter: false));
        }
        else node = Postfix(Primary());
        return withFilter ? FiltersAndTests(node) : node;
    }

    private JinjaExpr Primary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case JinjaTokenKind.Name:
                return t.Value switch
                {
                    "true" or "True" => new LiteralExpr(t.Line, true),
                    "false" or "False" => new LiteralExpr(t.Line, false),
                    "none" or "None" => new LiteralExpr(t.Line, null),
                    _ => new NameExpr(t.Line, t.Value),
                };
            case JinjaTokenKind.String:
                string s = t.Value;
                while (Current.Kind == JinjaTokenKind.String) s += Next().Value;
                return new LiteralExpr(t.Line, s);
            case JinjaTokenKind.Integer:
                return long.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long l) ? new LiteralExpr(t.Line, l)
                    : throw new ChatTemplateException(_name, t.Line, $"the integer {t.Value} is too large for this Jinja interpreter");
            case JinjaTokenKind.Float:
                return new LiteralExpr(t.Line, double.Parse(t.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Operator when t.Value == "(":
                if (Current.IsOperator(")")) { _pos++; return new ListExpr(t.Line, [], IsTuple: true); }
                var inner = Tuple(withCondition: true);
                ExpectOperator(")");
                return inner;
            case JinjaTokenKind.Operator when t.Value == "[":
                var items = new List<JinjaExpr>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("]")) break;
                    items.Add(Expression());
                }
                _pos++;
                return new ListExpr(t.Line, items, IsTuple: false);
            case JinjaTokenKind.Operator when t.Value == "{":
                var pairs = new List<(JinjaExpr, JinjaExpr)>();
                while (!Current.IsOperator("}"))
                {
                    if (pairs.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("}")) break;
                    var key = Expression();
                    ExpectOperator(":");
                    pairs.Add((key, Expression()));
                }
                _pos++;
                return new DictExpr(t.Line, pairs);
            default:
                _pos--;
                throw Error($"expected an expression, found {Describe(t)}");
        }
    }

    private JinjaExpr Postfix(JinjaExpr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("[")) node = Subscript(node);
            else if (Current.IsOperator("(")) node = new CallExpr(Current.Line, node, Arguments());
            else return node;
        }
    }

    private JinjaExpr Subscript(JinjaExpr node)
    {
        var t = Next();
        if (t.Value == ".")
        {
            if (Current.Kind == JinjaTokenKind.Name) return new AttributeExpr(t.Line, node, Next().Value);
            if (Current.Kind == JinjaTokenKind.Integer) return new ItemExpr(t.Line, node, new LiteralExpr(t.Line, long.Parse(Next().Value, CultureInfo.InvariantCulture)));
            throw Error($"expected a name after '.', found {Describe(Current)}");
        }
        var parts = new List<JinjaExpr>();
        while (!Current.IsOperator("]"))
        {
            if (parts.Count > 0) ExpectOperator(",");
            parts.Add(SubscriptPart());
        }
        _pos++;
        if (parts.Count == 0) throw new ChatTemplateException(_name, t.Line, "empty subscript '[]'");
        if (parts.Count > 1) return new ItemExpr(t.Line, node, new ListExpr(t.Line, parts, IsTuple: true));
        return parts[0] is SliceExpr slice ? slice with { Target = node } : new ItemExpr(t.Line, node, parts[0]);
    }

    private JinjaExpr SubscriptPart()
    {
        int line = Current.Line;
        JinjaExpr? start = Current.IsOperator(":") ? null : Expression();
        if (!Current.IsOperator(":")) return start!;
        _pos++;
        JinjaExpr? stop = Current.IsOperator(":") || Current.IsOperator("]") || Current.IsOperator(",") ? null : Expression();
        JinjaExpr? step = null;
        if (Current.IsOperator(":"))
        {
            _pos++;
            if (!(Current.IsOperator("]") || Current.IsOperator(","))) step = Expression();
        }
        return new SliceExpr(line, new LiteralExpr(line, null), start, stop, step);
    }

    private CallArguments Arguments()
    {
        ExpectOperator("(");
        var positional = new List<JinjaExpr>();
        var keyword = new List<(string, JinjaExpr)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + keyword.Count > 0) ExpectOperator(",");
            if (Current.IsOperator(")")) break;
            if (Current.IsOperator("*") || Current.IsOperator("**")) throw Error("argument unpacking (*args, **kwargs) is not supported by this Jinja interpreter");
            if (Current.Kind == JinjaTokenKind.Name && _tokens[_pos + 1].IsOperator("="))
            {
                string key = Next().Value;
                _pos++;
                keyword.Add((key, Expression()));
            }
            else
            {
                if (keyword.Count > 0) throw Error("a positional argument follows a keyword argument");
                positional.Add(Expression());
            }
        }
        _pos++;
        return new CallArguments(positional, keyword);
    }

    private JinjaExpr FiltersAndTests(JinjaExpr node)
    {
        while (true)
        {
            if (Current.IsOperator("|")) node = Filter(node, Next().Line);
            else if (Current.IsName("is")) node = Test(node, Next().Line);
            else if (Current.IsOperator("(")) node = new CallExpr(Current.Line, node, Arguments());
            else return node;
        }
    }

    private FilterExpr Filter(JinjaExpr? operand, int line)
    {
        string name = ExpectName();
        if (!JinjaFilters.Names.Contains(name)) throw new ChatTemplateException(_name, line, $"the filter '{name}' is not supported by this Jinja interpreter");
        return new FilterExpr(line, operand, name, Current.IsOperator("(") ? Arguments() : CallArguments.None);
    }

    private TestExpr Test(JinjaExpr operand, int line)
    {
        bool negated = SkipName("not");
        string name = ExpectName();
        if (!JinjaTests.Names.Contains(name)) throw new ChatTemplateException(_name, line, $"the test '{name}' is not supported by this Jinja interpreter");
        CallArguments args = CallArguments.None;
        if (Current.IsOperator("(")) args = Arguments();
        else if ((Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                  || Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !(Current.IsName("else") || Current.IsName("or") || Current.IsName("and")))
        {
            if (Current.IsName("is")) throw Error("tests cannot be chained with 'is'");
            args = new CallArguments([Postfix(Primary())], []);
        }
        return new TestExpr(line, operand, name, args, negated);
    }
}
