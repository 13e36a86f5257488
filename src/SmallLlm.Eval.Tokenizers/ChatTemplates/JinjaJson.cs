using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>
/// The <c>tojson</c> filter as transformers defines it: Python's
/// <c>json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)</c> (Jinja2's own tojson would
/// escape HTML characters; transformers replaces it). Without indent the separators are <c>", "</c> and <c>": "</c>,
/// with an indent <c>","</c> and <c>": "</c>.
/// </summary>
internal static class JinjaJson
{
    public sealed record Options(bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys);

    public static string Dumps(object? value, Options options)
    {
        var sb = new StringBuilder();
        Write(sb, value, options, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? v, Options o, int depth)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : JinjaValues.FloatRepr(d));
                break;
            case string s: WriteString(sb, s, o.EnsureAscii); break;
            case List<object?> list:
                if (list.Count == 0) { sb.Append("[]"); break; }
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(o.ItemSeparator);
                    NewLine(sb, o, depth + 1);
                    Write(sb, list[i], o, depth + 1);
                }
                NewLine(sb, o, depth);
                sb.Append(']');
                break;
            case OrderedDictionary<string, object?> dict:
                if (dict.Count == 0) { sb.Append("{}"); break; }
                sb.Append('{');
                var pairs = o.SortKeys ? dict.OrderBy(p => p.Key, Comparer<string>.Create(JinjaValues.ComparePythonStrings)).ToList() : [.. dict];
                for (int i = 0; i < pairs.Count; i++)
                {
                    if (i > 0) sb.Append(o.ItemSeparator);
                    NewLine(sb, o, depth + 1);
                    WriteString(sb, pairs[i].Key, o.EnsureAscii);
                    sb.Append(o.KeySeparator);
                    Write(sb, pairs[i].Value, o, depth + 1);
                }
                NewLine(sb, o, depth);
                sb.Append('}');
                break;
            default:
                throw new InvalidOperationException($"Object of type {JinjaValues.TypeName(v)} is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder sb, Options o, int depth)
    {
        if (o.Indent is null) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(o.Indent);
    }

    private static void WriteString(StringBuilder sb, string s, bool ensureAscii)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    // UTF-16 units, as Python's ensure_ascii writes astral characters as surrogate pairs.
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
