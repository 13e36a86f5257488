using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Tokenizers.Tests;

public class AstralSafeRegexPreTokenizerTests
{
    private static string[] Split(string pattern, string text)
    {
        var pre = new AstralSafeRegexPreTokenizer(TiktokenPatterns.For(pattern));
        return pre.Split(text).Select(p => text.Substring(p.Offset, p.Length)).ToArray();
    }

    [Fact]
    public void Digits_outside_the_BMP_group_by_three_code_points_as_in_tiktoken()
    {
        // .NET's \p{N} alone sees "𝟏𝟐𝟑𝟒" as 8 surrogates that match nothing but the punctuation alternative.
        Assert.Equal(["x", " ", "𝟏𝟐𝟑", "𝟒"], Split(TiktokenPatterns.Cl100k, "x 𝟏𝟐𝟑𝟒"));
        var plain = TiktokenPatterns.Cl100kRegex().Matches("x 𝟏𝟐𝟑𝟒").Select(m => m.Value).ToArray();
        Assert.NotEqual(["x", " ", "𝟏𝟐𝟑", "𝟒"], plain);
    }

    [Fact]
    public void Letters_outside_the_BMP_join_a_leading_space_like_BMP_letters()
    {
        Assert.Equal(["𝐀𝐁𝐂", " math", " 𠀀𠀁"], Split(TiktokenPatterns.Cl100k, "𝐀𝐁𝐂 math 𠀀𠀁"));
        Assert.Equal(["𝐀𝐁𝐂", " math", " 𠀀𠀁"], Split(TiktokenPatterns.Gpt2, "𝐀𝐁𝐂 math 𠀀𠀁"));
    }

    [Fact]
    public void Text_without_surrogates_splits_as_the_plain_regex_does()
    {
        const string text = "I'm here: 12345 \n\n  ok";
        var plain = TiktokenPatterns.O200kRegex().Matches(text).Select(m => m.Value).ToArray();
        Assert.Equal(plain, Split(TiktokenPatterns.O200k, text));
    }
}
