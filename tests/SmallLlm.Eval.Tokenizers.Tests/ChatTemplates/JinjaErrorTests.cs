using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tokenizers.Tests.ChatTemplates;

/// <summary>What the interpreter refuses, and how it says so: the template's name, the line, the construct.</summary>
public class JinjaErrorTests
{
    private static readonly Dictionary<string, JsonElement> NoVariables = [];

    private static string Render(string source, string variablesJson = "{}") =>
        JinjaTemplate.Parse("t.jinja", source).Render(
            JsonDocument.Parse(variablesJson).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value));

    [Theory]
    [InlineData("a\n{% include 'other.jinja' %}", "line 2", "'{% include %}' is not supported")]
    [InlineData("{% extends 'base.jinja' %}", "line 1", "'{% extends %}' is not supported")]
    [InlineData("{% raw %}{{ x }}{% endraw %}", "line 1", "'{% raw %}' is not supported")]
    [InlineData("\n\n{{ x | wordcount }}", "line 3", "the filter 'wordcount' is not supported")]
    [InlineData("{% if x is prime %}{% endif %}", "line 1", "the test 'prime' is not supported")]
    [InlineData("{% for m in messages recursive %}{% endfor %}", "line 1", "recursive for loops are not supported")]
    public void An_unsupported_construct_is_refused_at_parse_time_with_its_line(string source, string line, string construct)
    {
        var e = Assert.ThrowsAny<ChatTemplateException>(() => JinjaTemplate.Parse("t.jinja", source));
        Assert.StartsWith($"chat template t.jinja, {line}: ", e.Message);
        Assert.Contains(construct, e.Message);
    }

    [Theory]
    [InlineData("{% if x %}abc", "'if' is not closed")]
    [InlineData("{% for x in y %}abc{% endif %}", "'for' is not closed")]
    [InlineData("{{ x ", "never closed")]
    [InlineData("{{ 'abc }}", "never closed")]
    [InlineData("{% endfor %}", "without a matching opening statement")]
    [InlineData("{{ x + }}", "expected an expression")]
    public void A_syntax_error_says_what_is_wrong(string source, string reason)
    {
        var e = Assert.ThrowsAny<ChatTemplateException>(() => JinjaTemplate.Parse("t.jinja", source));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Raise_exception_carries_the_templates_own_message_and_line()
    {
        var e = Assert.Throws<ChatTemplateRaisedException>(() => Render("ok\n{{ raise_exception('roles must alternate, got ' ~ role) }}", """{"role": "tool"}"""));
        Assert.Equal("roles must alternate, got tool", e.TemplateMessage);
        Assert.Equal(2, e.Line);
    }

    [Theory]
    [InlineData("{{ missing.attribute }}", "'missing' is undefined")]
    [InlineData("{{ m.nope.deeper }}", "'dict object' has no attribute 'nope'")]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand types for +: 'str' and 'int'")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{% set l = [1] %}{{ l.append(2) }}", "unsafe")]
    [InlineData("{{ '%s' % 1 }}", "printf-style")]
    [InlineData("{{ ns.x }}{% set ns.x = 1 %}", "only a namespace() object takes attribute assignments")]
    public void An_operation_jinja2_refuses_is_an_error_not_a_different_prompt(string source, string reason)
    {
        var e = Assert.ThrowsAny<ChatTemplateException>(() => Render(source, """{"m": {"a": 1}, "ns": {}}"""));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Undefined_values_render_as_nothing_and_test_as_undefined()
    {
        Assert.Equal("[]|U|d", Render("[{{ nothing }}]|{{ 'U' if nothing is undefined }}|{{ nothing | default('d') }}"));
        Assert.Empty(NoVariables);
    }
}
