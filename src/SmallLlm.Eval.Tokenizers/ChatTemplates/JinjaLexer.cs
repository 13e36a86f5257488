using System.Globalization;
using System.Text;

namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

internal enum JinjaTokenKind { Text, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End }

internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;
    public bool IsName(string name) => Kind == JinjaTokenKind.Name && Value == name;
    public bool IsOperator(string op) => Kind == JinjaTokenKind.Operator && Value == op;
}

/// <summary>
/// Splits a template into text and tag tokens as Jinja2's lexer does in transformers' environment
/// (<c>trim_blocks=True</c>, <c>lstrip_blocks=True</c>, <c>keep_trailing_newline=False</c>): <c>{%-</c>/<c>-%}</c>
/// strip whitespace, <c>+</c> keeps it, newlines are normalized to <c>\n</c>, and string literals are decoded with
/// Python's escapes.
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ","];

    private readonly string _name;
    private readonly string _src;
    private readonly List<JinjaToken> _tokens = [];
    private int _pos;
    private int _line = 1;

    private JinjaLexer(string name, string source)
    {
        _name = name;
        // Jinja2 reads \r\n and \r as \n, and drops one trailing newline of the source (keep_trailing_newline=False).
        string s = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        _src = s.EndsWith('\n') ? s[..^1] : s;
    }

    public static List<JinjaToken> Tokenize(string name, string source)
    {
        var lexer = new JinjaLexer(name, source);
        lexer.Run();
        return lexer._tokens;
    }

    internal static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private ChatTemplateException Error(string message) => new(_name, _line, message);

    private void Run()
    {
        bool lineStarting = true;
        while (_pos < _src.Length)
        {
            int tag = FindTag(_pos);
            string text = _src[_pos..(tag < 0 ? _src.Length : tag)];
            if (tag < 0)
            {
                Emit(JinjaTokenKind.Text, text);
                break;
            }
            char kind = _src[tag + 1];
            char sign = tag + 2 < _src.Length && _src[tag + 2] is '-' or '+' ? _src[tag + 2] : '\0';
            if (sign == '-') text = text.TrimEnd(PythonSpaces);
            else if (sign != '+' && kind != '{')
            {
                // lstrip_blocks: spaces between the line's start and a block or comment tag are not output.
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && text.AsSpan(lineStart).ContainsAnyExcept(" \t\f\v") is false)
                    text = text[..lineStart];
            }
            Emit(JinjaTokenKind.Text, text);
            _pos = tag + 2 + (sign != '\0' ? 1 : 0);
            lineStarting = kind switch
            {
                '#' => Comment(),
                '%' => Tag(JinjaTokenKind.BlockBegin, JinjaTokenKind.BlockEnd, '%'),
                _ => Tag(JinjaTokenKind.VariableBegin, JinjaTokenKind.VariableEnd, '}'),
            };
        }
        _tokens.Add(new JinjaToken(JinjaTokenKind.End, "", _line));
    }

    private static readonly char[] PythonSpaces = [.. Enumerable.Range(0, 0x3001).Select(i => (char)i).Where(IsPythonSpace)];

    private int FindTag(int from)
    {
        for (int i = from; i + 1 < _src.Length; i++)
            if (_src[i] == '{' && _src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    private void Emit(JinjaTokenKind kind, string text)
    {
        if (text.Length > 0) _tokens.Add(new JinjaToken(kind, text, _line));
        _line += text.Count(c => c == '\n');
    }

    /// <summary>Skips whatever follows a closing tag as its whitespace control says; returns whether a line starts next.</summary>
    private bool AfterClose(char sign, bool trimBlock)
    {
        int start = _pos;
        if (sign == '-') while (_pos < _src.Length && IsPythonSpace(_src[_pos])) _pos++;
        else if (sign != '+' && trimBlock && _pos < _src.Length && _src[_pos] == '\n') _pos++;
        _line += _src.AsSpan(start, _pos - start).Count('\n');
        return _pos > 0 && _src[_pos - 1] == '\n';
    }

    private bool Comment()
    {
        int end = _src.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("a comment {# is never closed with #}");
        char sign = end > _pos && _src[end - 1] is '-' or '+' ? _src[end - 1] : '\0';
        _line += _src.AsSpan(_pos, end - _pos).Count('\n');
        _pos = end + 2;
        return AfterClose(sign, trimBlock: true);
    }

    private bool Tag(JinjaTokenKind begin, JinjaTokenKind endKind, char closer)
    {
        _tokens.Add(new JinjaToken(begin, "", _line));
        int depth = 0;
        while (true)
        {
            while (_pos < _src.Length && IsPythonSpace(_src[_pos]))
            {
                if (_src[_pos] == '\n') _line++;
                _pos++;
            }
            if (_pos >= _src.Length) throw Error(closer == '%' ? "a block tag {% is never closed with %}" : "an expression {{ is never closed with }}");
            char sign = _src[_pos] is '-' or '+' ? _src[_pos] : '\0';
            int at = _pos + (sign != '\0' ? 1 : 0);
            if (depth == 0 && at + 1 < _src.Length && _src[at] == closer && _src[at + 1] == '}' && (sign != '+' || closer == '%'))
            {
                _tokens.Add(new JinjaToken(endKind, "", _line));
                _pos = at + 2;
                return AfterClose(sign, trimBlock: closer == '%');
            }
            char c = _src[_pos];
            if (c is '\'' or '"') { _tokens.Add(new JinjaToken(JinjaTokenKind.String, StringLiteral(c), _line)); continue; }
            if (char.IsAsciiDigit(c)) { Number(); continue; }
            if (char.IsLetter(c) || c == '_')
            {
                int s = _pos;
                while (_pos < _src.Length && (char.IsLetterOrDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
                _tokens.Add(new JinjaToken(JinjaTokenKind.Name, _src[s.._pos], _line));
                continue;
            }
            string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(_src, _pos, o, 0, o.Length) == 0);
            if (op is null) throw Error($"unexpected character '{c}' inside a tag");
            if (op is "{" or "[" or "(") depth++;
            else if (op is "}" or "]" or ")") depth--;
            _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, _line));
            _pos += op.Length;
        }
    }

    private void Number()
    {
        int s = _pos;
        while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
        bool isFloat = false;
        if (_pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
        }
        if (_pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            int e = _pos + 1;
            if (e < _src.Length && _src[e] is '+' or '-') e++;
            if (e < _src.Length && char.IsAsciiDigit(_src[e]))
            {
                isFloat = true;
                _pos = e;
                while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
            }
        }
        string text = _src[s.._pos].Replace("_", "", StringComparison.Ordinal);
        _tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, text, _line));
    }

    /// <summary>A quoted literal decoded as Python's unicode-escape does (unknown escapes stay as written).</summary>
    private string StringLiteral(char quote)
    {
        int startLine = _line;
        var sb = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _src.Length) throw new ChatTemplateException(_name, startLine, "a string literal is never closed");
            char c = _src[_pos++];
            if (c == quote) return sb.ToString();
            if (c == '\n') _line++;
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= _src.Length) throw new ChatTemplateException(_name, startLine, "a string literal is never closed");
            char e = _src[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '\n': _line++; break;
                case 'x': sb.Append(HexEscape(2)); break;
                case 'u': sb.Append(HexEscape(4)); break;
                case 'U': sb.Append(HexEscape(8)); break;
                case >= '0' and <= '7':
                    int value = e - '0';
                    for (int k = 0; k < 2 && _pos < _src.Length && _src[_pos] is >= '0' and <= '7'; k++) value = value * 8 + (_src[_pos++] - '0');
                    sb.Append((char)value);
                    break;
                case 'N': throw Error("the \\N{...} escape in a string literal is not supported");
                default: sb.Append('\\').Append(e); break;
            }
        }
    }

    private string HexEscape(int digits)
    {
        if (_pos + digits > _src.Length || !int.TryParse(_src.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp))
            throw Error($"a \\{(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U')} escape in a string literal needs {digits} hexadecimal digits");
        _pos += digits;
        return char.ConvertFromUtf32(cp);
    }
}
