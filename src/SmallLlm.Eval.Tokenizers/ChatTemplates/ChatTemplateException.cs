namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// A chat template that cannot be rendered as written: a syntax error, a construct this interpreter does not cover, or
/// an operation Jinja2 would refuse. Names the template, the line and the construct, so that a prompt is never silently
/// different from what transformers would render. A FormatException, so that commands report it as bad input (exit 2).
/// </summary>
public class ChatTemplateException(string template, int line, string message)
    : FormatException($"chat template {template}, line {line}: {message}")
{
    public string Template { get; } = template;
    public int Line { get; } = line;
    public string Reason { get; } = message;
}

/// <summary>The template itself called <c>raise_exception(message)</c> (e.g. roles out of order); <see cref="TemplateMessage"/> is its text.</summary>
public sealed class ChatTemplateRaisedException(string template, int line, string templateMessage)
    : ChatTemplateException(template, line, $"the template raised an exception: {templateMessage}")
{
    public string TemplateMessage { get; } = templateMessage;
}
