using System.Text;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// Runs a parsed template the way Jinja2 runs it in transformers' sandboxed environment: Python values and operators,
/// Undefined for missing names and keys, for-loop scoping (assignments inside a loop stay inside it; only a
/// <c>namespace</c> carries values out), macros with <c>caller()</c>, and <c>loopcontrols</c>.
/// </summary>
internal sealed partial class JinjaRenderer
{
    private sealed class Scope(Scope? parent)
    {
        private readonly Dictionary<string, object?> _vars = new(StringComparer.Ordinal);
        public Scope? Parent { get; } = parent;
        public bool TryGet(string name, out object? value)
        {
            for (var s = this; s is not null; s = s.Parent) if (s._vars.TryGetValue(name, out value)) return true;
            value = null;
            return false;
        }
        public void Set(string name, object? value) => _vars[name] = value;
    }

    private enum Flow { Normal, Break, Continue }

    private readonly string _name;
    private readonly DateTime _now;
    private int _line;

    private JinjaRenderer(string name, DateTime now)
    {
        _name = name;
        _now = now;
    }

    public static string Render(string name, IReadOnlyList<JinjaStatement> body, IReadOnlyDictionary<string, object?> variables, DateTime now)
    {
        var renderer = new JinjaRenderer(name, now);
        var globals = new Scope(null);
        renderer.AddGlobals(globals);
        var top = new Scope(globals);
        foreach (var (k, v) in variables) top.Set(k, v);
        var sb = new StringBuilder();
        try
        {
            if (renderer.Run(body, top, sb) != Flow.Normal) throw renderer.Error("'break' or 'continue' outside a for loop");
        }
        catch (Exception e) when (e is InvalidOperationException or OverflowException)
        {
            throw renderer.Error(e.Message);
        }
        return sb.ToString();
    }

    private ChatTemplateException Error(string message) => new(_name, _line, message);

    private Flow Run(IReadOnlyList<JinjaStatement> body, Scope scope, StringBuilder sb)
    {
        foreach (var st in body)
        {
            _line = st.Line;
            switch (st)
            {
                case TextStatement t:
                    sb.Append(t.Text);
                    break;
                case OutputStatement o:
                    object? value = Eval(o.Value, scope);
                    if (value is JinjaCallable or JinjaLoop) throw Error($"cannot print a {JinjaValues.TypeName(value)}");
                    sb.Append(JinjaValues.Str(value));
                    break;
                case IfStatement i:
                    var flow = Run(JinjaValues.Truthy(Eval(i.Test, scope)) ? i.Body : i.Else, scope, sb);
                    if (flow != Flow.Normal) return flow;
                    break;
                case ForStatement f:
                    RunFor(f, scope, sb);
                    break;
                case SetStatement s:
                    Assign(s.Target, s.Value is null ? RenderBlock(s.Body, scope) : Eval(s.Value, scope), scope);
                    break;
                case MacroStatement m:
                    scope.Set(m.Name, Macro(m.Name, m.Parameters, m.Body, scope));
                    break;
                case CallBlockStatement c:
                    var callerFn = Macro("caller", c.CallerParameters, c.Body, scope);
                    sb.Append(JinjaValues.Str(CallWithCaller(c.Call, scope, callerFn)));
                    break;
                case FilterBlockStatement fb:
                    sb.Append(JinjaValues.Str(ApplyFilter(fb.Filter, RenderBlock(fb.Body, scope), scope)));
                    break;
                case LoopControlStatement lc:
                    return lc.IsBreak ? Flow.Break : Flow.Continue;
                default:
                    throw Error($"unknown statement {st.GetType().Name}");
            }
        }
        return Flow.Normal;
    }

    private string RenderBlock(IReadOnlyList<JinjaStatement> body, Scope scope)
    {
        var sb = new StringBuilder();
        if (Run(body, scope, sb) != Flow.Normal) throw Error("'break' or 'continue' outside a for loop");
        return sb.ToString();
    }

    private void RunFor(ForStatement f, Scope scope, StringBuilder sb)
    {
        object? iterable = Eval(f.Iterable, scope);
        var items = JinjaValues.Iterate(iterable) ?? throw Error($"'{JinjaValues.TypeName(iterable)}' object is not iterable");
        var loopScope = new Scope(scope);
        if (f.Filter is not null)
            items = [.. items.Where(item => { Assign(f.Target, item, loopScope); return JinjaValues.Truthy(Eval(f.Filter, loopScope)); })];
        var loop = new JinjaLoop(items);
        for (int i = 0; i < items.Count; i++)
        {
            var iterationScope = new Scope(scope);
            loop.Index0 = i;
            iterationScope.Set("loop", loop);
            Assign(f.Target, items[i], iterationScope);
            var flow = Run(f.Body, iterationScope, sb);
            if (flow == Flow.Break) break;
        }
        if (items.Count == 0) Run(f.Else, scope, sb);
    }

    private void Assign(JinjaExpr target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameExpr n:
                scope.Set(n.Name, value);
                break;
            case AttributeExpr { Target: NameExpr ns } a:
                if (!scope.TryGet(ns.Name, out var obj) || obj is not JinjaNamespace space)
                    throw Error($"cannot assign attribute '{a.Name}' on '{ns.Name}': only a namespace() object takes attribute assignments");
                space.Attributes[a.Name] = value;
                break;
            case ListExpr { IsTuple: true } t:
                var values = JinjaValues.Iterate(value) ?? throw Error($"cannot unpack a non-iterable {JinjaValues.TypeName(value)}");
                if (values.Count != t.Items.Count)
                    throw Error(values.Count < t.Items.Count ? $"not enough values to unpack (expected {t.Items.Count}, got {values.Count})" : $"too many values to unpack (expected {t.Items.Count})");
                for (int i = 0; i < values.Count; i++) Assign(t.Items[i], values[i], scope);
                break;
            default:
                throw Error("cannot assign to this expression");
        }
    }

    private JinjaCallable Macro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<JinjaStatement> body, Scope definedIn) =>
        new(name, (positional, keyword) =>
        {
            int line = _line;
            var scope = new Scope(definedIn);
            var extraKeyword = new OrderedDictionary<string, object?>();
            foreach (var (k, v) in keyword)
            {
                if (k == "caller") scope.Set("caller", v);
                else if (!parameters.Any(p => p.Name == k)) extraKeyword[k] = v;
            }
            for (int i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                if (i < positional.Count) scope.Set(p.Name, positional[i]);
                else if (keyword.FirstOrDefault(kw => kw.Key == p.Name) is { Key: not null } kw) scope.Set(p.Name, kw.Value);
                else scope.Set(p.Name, p.Default is null ? new JinjaUndefined($"parameter '{p.Name}' was not provided") : Eval(p.Default, scope));
            }
            scope.Set("varargs", positional.Skip(parameters.Count).ToList());
            scope.Set("kwargs", extraKeyword);
            string result = RenderBlock(body, scope);
            _line = line;
            return result;
        });

    private object? CallWithCaller(CallExpr call, Scope scope, JinjaCallable callerFn)
    {
        var callee = Eval(call.Callee, scope);
        if (callee is not JinjaCallable) throw Error("'{% call %}' needs a macro");
        var (positional, keyword) = EvalArguments(call.Args, scope);
        keyword.Add(new("caller", callerFn));
        return ((JinjaCallable)callee).Function(positional, keyword);
    }

    private (List<object?> Positional, List<KeyValuePair<string, object?>> Keyword) EvalArguments(CallArguments args, Scope scope) =>
        ([.. args.Positional.Select(a => Eval(a, scope))], [.. args.Keyword.Select(k => new KeyValuePair<string, object?>(k.Name, Eval(k.Value, scope)))]);
}
