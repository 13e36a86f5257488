using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// A doc_to_text / doc_to_target template over a document's fields: <c>{field}</c> is the field's value, and
/// <c>{field|after:SEP}</c> and <c>{field|strip}</c> transform it as Python's <c>value.split(SEP)[-1]</c> and
/// <c>value.strip()</c> (lm-eval's gsm8k_cot target is <c>{answer|after:####|strip}</c>). lm-eval writes these as
/// Jinja; this is the small subset its task files use, and anything else in braces is an error naming the field.
/// </summary>
public sealed partial class DocTemplate
{
    [GeneratedRegex(@"\{(\w+)((?:\|[^{}|]+)*)\}")]
    private static partial Regex Placeholder();

    private readonly string _template;
    private readonly string _field;

    public DocTemplate(string template, string field, string where)
    {
        _template = template;
        _field = field;
        foreach (Match m in Placeholder().Matches(template))
            foreach (var op in Operations(m))
                if (!(op == "strip" || op.StartsWith("after:", StringComparison.Ordinal) && op.Length > "after:".Length))
                    throw new InvalidDataException($"{where}: field '{field}' uses '|{op}' in {m.Value}: only |strip and |after:SEP are known");
    }

    /// <summary>The document fields the template reads.</summary>
    public IEnumerable<string> Fields => Placeholder().Matches(_template).Select(m => m.Groups[1].Value).Distinct();

    private static IEnumerable<string> Operations(Match m) => m.Groups[2].Value.Split('|', StringSplitOptions.RemoveEmptyEntries);

    public string Render(IReadOnlyDictionary<string, string> doc, string where) => Placeholder().Replace(_template, m =>
    {
        string name = m.Groups[1].Value;
        if (!doc.TryGetValue(name, out var value))
            throw new InvalidDataException($"{where}: no field '{name}' (the task's {_field} names it); the document has {string.Join(", ", doc.Keys)}");
        foreach (var op in Operations(m))
            value = op == "strip" ? PythonText.Strip(value) : value.Split(op["after:".Length..])[^1];
        return value;
    });

    /// <summary>A JSON document's fields as text: strings as they are, integers in decimal; other values cannot be rendered faithfully.</summary>
    public static Dictionary<string, string> FieldsOf(JsonElement record, string where)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: expected a JSON object");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in record.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String) fields[p.Name] = p.Value.GetString()!;
            else if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out long n)) fields[p.Name] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return fields;
    }
}
