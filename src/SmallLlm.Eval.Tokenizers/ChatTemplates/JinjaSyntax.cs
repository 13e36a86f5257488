namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

// The syntax tree of a template: statements output text, expressions give values. Every node keeps its line for errors.

internal abstract record JinjaNode(int Line);

internal abstract record JinjaExpr(int Line) : JinjaNode(Line);

internal sealed record LiteralExpr(int Line, object? Value) : JinjaExpr(Line);
internal sealed record NameExpr(int Line, string Name) : JinjaExpr(Line);
internal sealed record ListExpr(int Line, IReadOnlyList<JinjaExpr> Items, bool IsTuple) : JinjaExpr(Line);
internal sealed record DictExpr(int Line, IReadOnlyList<(JinjaExpr Key, JinjaExpr Value)> Items) : JinjaExpr(Line);
internal sealed record AttributeExpr(int Line, JinjaExpr Target, string Name) : JinjaExpr(Line);
internal sealed record ItemExpr(int Line, JinjaExpr Target, JinjaExpr Key) : JinjaExpr(Line);
internal sealed record SliceExpr(int Line, JinjaExpr Target, JinjaExpr? Start, JinjaExpr? Stop, JinjaExpr? Step) : JinjaExpr(Line);
internal sealed record CallArguments(IReadOnlyList<JinjaExpr> Positional, IReadOnlyList<(string Name, JinjaExpr Value)> Keyword)
{
    public static readonly CallArguments None = new([], []);
}
internal sealed record CallExpr(int Line, JinjaExpr Callee, CallArguments Args) : JinjaExpr(Line);
internal sealed record FilterExpr(int Line, JinjaExpr? Operand, string Name, CallArguments Args) : JinjaExpr(Line);
internal sealed record TestExpr(int Line, JinjaExpr Operand, string Name, CallArguments Args, bool Negated) : JinjaExpr(Line);
internal sealed record UnaryExpr(int Line, string Op, JinjaExpr Operand) : JinjaExpr(Line);
internal sealed record BinaryExpr(int Line, string Op, JinjaExpr Left, JinjaExpr Right) : JinjaExpr(Line);
internal sealed record CompareExpr(int Line, JinjaExpr First, IReadOnlyList<(string Op, JinjaExpr Right)> Rest) : JinjaExpr(Line);
internal sealed record ConditionalExpr(int Line, JinjaExpr Test, JinjaExpr Then, JinjaExpr? Else) : JinjaExpr(Line);

internal abstract record JinjaStatement(int Line) : JinjaNode(Line);

internal sealed record TextStatement(int Line, string Text) : JinjaStatement(Line);
internal sealed record OutputStatement(int Line, JinjaExpr Value) : JinjaStatement(Line);
internal sealed record IfStatement(int Line, JinjaExpr Test, IReadOnlyList<JinjaStatement> Body, IReadOnlyList<JinjaStatement> Else) : JinjaStatement(Line);
internal sealed record ForStatement(int Line, JinjaExpr Target, JinjaExpr Iterable, JinjaExpr? Filter,
    IReadOnlyList<JinjaStatement> Body, IReadOnlyList<JinjaStatement> Else) : JinjaStatement(Line);
internal sealed record SetStatement(int Line, JinjaExpr Target, JinjaExpr? Value, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);
internal sealed record MacroParameter(string Name, JinjaExpr? Default);
internal sealed record MacroStatement(int Line, string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);
internal sealed record CallBlockStatement(int Line, CallExpr Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);
internal sealed record FilterBlockStatement(int Line, FilterExpr Filter, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);
internal sealed record LoopControlStatement(int Line, bool IsBreak) : JinjaStatement(Line);
