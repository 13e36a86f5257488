using System.Globalization;
using System.Text;
using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Tokenizers.ByteLevel;

/// <summary>
/// The pre-tokenizer of a byte-level tokenizer.json, as a chain of steps each splitting the pieces of the one before
/// (tokenizers' <c>Sequence</c>): <c>Split</c> with a regex (Isolated or Removed), <c>Digits</c>, and <c>ByteLevel</c>
/// (add_prefix_space prepends a space to every piece that lacks one; use_regex splits with GPT-2's pattern).
/// Regexes run astral-safe (<see cref="AstralSafeRegexPreTokenizer"/>).
/// </summary>
public sealed class ByteLevelPreTokenizer
{
    public abstract record Step;
    public sealed record RegexSplit(AstralSafeRegexPreTokenizer Regex, bool RemoveMatches) : Step;
    public sealed record DigitsSplit(bool Individual) : Step;
    public sealed record PrefixSpace : Step;

    private readonly Step[] _steps;

    public ByteLevelPreTokenizer(IEnumerable<Step> steps) => _steps = steps.ToArray();

    /// <summary>A single regex split, the layout of Llama 3 and Qwen2: the fast path, pieces are slices of the text.</summary>
    public AstralSafeRegexPreTokenizer? SingleRegex =>
        _steps is [RegexSplit { RemoveMatches: false } r] ? r.Regex : null;

    /// <summary>
    /// Pieces of <paramref name="text"/>. With <paramref name="noPrefixOnFirst"/> (a chunk that continues earlier
    /// text), the first piece gets no prefix space.
    /// </summary>
    public List<ReadOnlyMemory<char>> Split(string text, bool noPrefixOnFirst)
    {
        var pieces = new List<ReadOnlyMemory<char>> { text.AsMemory() };
        bool first = true;
        foreach (var step in _steps)
        {
            var next = new List<ReadOnlyMemory<char>>(pieces.Count * 2);
            foreach (var piece in pieces)
            {
                switch (step)
                {
                    case RegexSplit r: SplitByRegex(piece, r, next); break;
                    case DigitsSplit d: SplitDigits(piece, d.Individual, next); break;
                    case PrefixSpace:
                        bool skip = first && noPrefixOnFirst;
                        next.Add(skip || (piece.Length > 0 && piece.Span[0] == ' ') ? piece : (" " + piece.ToString()).AsMemory());
                        break;
                }
                if (step is PrefixSpace) first = false;
            }
            pieces = next;
        }
        return pieces;
    }

    private static void SplitByRegex(ReadOnlyMemory<char> piece, RegexSplit r, List<ReadOnlyMemory<char>> output)
    {
        int last = 0;
        foreach (var (offset, length) in r.Regex.Split(piece.Span))
        {
            if (offset > last) output.Add(piece.Slice(last, offset - last)); // the gaps are pieces too (Isolated)
            if (!r.RemoveMatches && length > 0) output.Add(piece.Slice(offset, length));
            last = offset + length;
        }
        if (last < piece.Length) output.Add(piece[last..]);
    }

    /// <summary>tokenizers' Digits: numeric characters (Unicode Nd, Nl, No, as Rust's char::is_numeric) split off.</summary>
    private static void SplitDigits(ReadOnlyMemory<char> piece, bool individual, List<ReadOnlyMemory<char>> output)
    {
        var span = piece.Span;
        int runStart = 0;
        bool? runNumeric = null;
        for (int i = 0; i < span.Length;)
        {
            Rune.DecodeFromUtf16(span[i..], out var rune, out int width);
            bool numeric = Rune.GetUnicodeCategory(rune) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
            if (runNumeric is bool previous && (numeric != previous || (numeric && individual)))
            {
                output.Add(piece.Slice(runStart, i - runStart));
                runStart = i;
            }
            runNumeric = numeric;
            i += width;
        }
        if (runStart < span.Length) output.Add(piece[runStart..]);
    }

    /// <summary>Builds the steps from tokenizer.json's pre_tokenizer members (already flattened from a Sequence).</summary>
    public static ByteLevelPreTokenizer FromJson(IReadOnlyList<System.Text.Json.JsonElement> items, string source)
    {
        var steps = new List<Step>();
        foreach (var p in items)
        {
            string type = p.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            switch (type)
            {
                case "Split":
                    if (!p.TryGetProperty("pattern", out var pat) || !pat.TryGetProperty("Regex", out var regex) || regex.GetString() is not { } pattern)
                        throw new InvalidDataException($"{source}: pre_tokenizer Split without a pattern.Regex is not supported");
                    string behavior = p.TryGetProperty("behavior", out var b) ? b.GetString() ?? "Isolated" : "Isolated";
                    if (behavior is not ("Isolated" or "Removed"))
                        throw new InvalidDataException($"{source}: pre_tokenizer Split behavior '{behavior}' is not supported (Isolated, Removed)");
                    if (p.TryGetProperty("invert", out var inv) && inv.ValueKind == System.Text.Json.JsonValueKind.True)
                        throw new InvalidDataException($"{source}: pre_tokenizer Split with invert true is not supported");
                    steps.Add(new RegexSplit(new AstralSafeRegexPreTokenizer(TiktokenPatterns.For(pattern)), behavior == "Removed"));
                    break;
                case "Digits":
                    steps.Add(new DigitsSplit(p.TryGetProperty("individual_digits", out var ind) && ind.ValueKind == System.Text.Json.JsonValueKind.True));
                    break;
                case "ByteLevel":
                    if (!p.TryGetProperty("add_prefix_space", out var aps) || aps.ValueKind == System.Text.Json.JsonValueKind.True)
                        steps.Add(new PrefixSpace());
                    if (!p.TryGetProperty("use_regex", out var ur) || ur.ValueKind == System.Text.Json.JsonValueKind.True)
                        steps.Add(new RegexSplit(new AstralSafeRegexPreTokenizer(TiktokenPatterns.Gpt2Regex()), false));
                    break;
                default:
                    throw new InvalidDataException(
                        $"{source}: pre_tokenizer '{type}' is not supported in a byte-level tokenizer (Split, Digits, ByteLevel): refusing to tokenize approximately");
            }
        }
        return new ByteLevelPreTokenizer(steps);
    }
}
