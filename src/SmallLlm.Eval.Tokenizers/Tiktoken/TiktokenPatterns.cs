using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Tokenizers.Tiktoken;

/// <summary>The pre-tokenizer patterns of the tiktoken encodings (tiktoken_ext/openai_public.py), verbatim.</summary>
public static partial class TiktokenPatterns
{
    /// <summary>cl100k_base; Llama 3 uses the same pattern.</summary>
    public const string Cl100k = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const string O200k =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        + @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        + @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>gpt2 and r50k_base (case-sensitive contractions).</summary>
    public const string Gpt2 = @"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Cl100k, RegexOptions.CultureInvariant)]
    public static partial Regex Cl100kRegex();

    [GeneratedRegex(O200k, RegexOptions.CultureInvariant)]
    public static partial Regex O200kRegex();

    [GeneratedRegex(Gpt2, RegexOptions.CultureInvariant)]
    public static partial Regex Gpt2Regex();

    /// <summary>The compiled regex for a pattern, using the source-generated one for the known patterns.</summary>
    public static Regex For(string pattern) => pattern switch
    {
        Cl100k => Cl100kRegex(),
        O200k => O200kRegex(),
        Gpt2 => Gpt2Regex(),
        _ => new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled),
    };
}
