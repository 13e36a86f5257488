using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace SmallLlm.Eval.Tokenizers.Tiktoken;

/// <summary>
/// Regex pre-tokenization that sees characters outside the Basic Multilingual Plane as the reference (Rust) regex
/// engines do. .NET's Regex works on UTF-16 code units, so \p{L} and \p{N} miss surrogate pairs ("𝟏", "𠀀"). Where the
/// text has surrogates, the regex runs on a stand-in string with one BMP character of the same Unicode category per
/// code point, and the match positions are mapped back.
/// </summary>
public sealed class AstralSafeRegexPreTokenizer(Regex regex) : PreTokenizer
{
    public Regex Regex { get; } = regex;

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        string.IsNullOrEmpty(text) ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) =>
        text.IsEmpty ? [] : Split(text);

    public List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var result = new List<(int, int)>(text.Length / 4 + 1);
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in Regex.EnumerateMatches(text)) result.Add((m.Index, m.Length));
            return result;
        }
        var (standIn, offsets) = StandIn(text);
        foreach (var m in Regex.EnumerateMatches(standIn))
        {
            int start = offsets[m.Index], end = offsets[m.Index + m.Length];
            result.Add((start, end - start));
        }
        return result;
    }

    /// <summary>One BMP character per code point; offsets[i] is where stand-in character i starts in the text.</summary>
    internal static (string StandIn, int[] Offsets) StandIn(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(Representative(Rune.GetUnicodeCategory(new Rune(text[i], text[i + 1]))));
                i += 2;
            }
            else
            {
                sb.Append(text[i]);
                i++;
            }
        }
        offsets.Add(text.Length);
        return (sb.ToString(), offsets.ToArray());
    }

    // BMP characters of each category that no pattern names literally (no ASCII letters, apostrophes or slashes).
    private static char Representative(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u00C0',
        UnicodeCategory.LowercaseLetter => '\u00E0',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.SpaceSeparator => '\u2000',
        UnicodeCategory.MathSymbol => '\u00D7',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u00B4',
        UnicodeCategory.OtherSymbol => '\u00A9',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A7',
        UnicodeCategory.Format => '\u200B',
        _ => '\uE000', // private use, unassigned: neither letter, number nor space
    };
}
