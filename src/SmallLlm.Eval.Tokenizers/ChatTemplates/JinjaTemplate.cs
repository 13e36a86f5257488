using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// A Jinja template parsed once and rendered many times, in transformers' environment (trim_blocks, lstrip_blocks,
/// loop controls, <c>raise_exception</c>, <c>strftime_now</c>, its <c>tojson</c>). Variables come in as JSON.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<JinjaStatement> _body;

    private JinjaTemplate(string name, IReadOnlyList<JinjaStatement> body)
    {
        Name = name;
        _body = body;
    }

    /// <summary>The name errors give (a file name, or "tokenizer_config.json chat_template 'default'").</summary>
    public string Name { get; }

    /// <exception cref="ChatTemplateException">a syntax error or an unsupported construct, with its line.</exception>
    public static JinjaTemplate Parse(string name, string source) => new(name, JinjaParser.Parse(name, source));

    /// <summary>Renders with these variables (JSON values: objects keep their key order). <paramref name="now"/> is what strftime_now reads.</summary>
    /// <exception cref="ChatTemplateRaisedException">the template called raise_exception.</exception>
    /// <exception cref="ChatTemplateException">an operation Jinja2 would refuse, with its line.</exception>
    public string Render(IReadOnlyDictionary<string, JsonElement> variables, DateTime? now = null) =>
        JinjaRenderer.Render(Name, _body, variables.ToDictionary(p => p.Key, p => JinjaValues.FromJson(p.Value)), now ?? DateTime.Now);
}
