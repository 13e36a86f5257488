namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>Every built-in tokenizer against the reference ids in ../shared/tokenizers/vectors.json.</summary>
public class ReferenceVectorTests
{
    private static readonly Lazy<ReferenceVectors> Vectors = new(ReferenceVectors.Load);

    // Index of "<s>literal</s> and <|begin_of_text|> and <|endoftext|>": the llama3 reference ids were made with
    // special-token text turned into control ids, which our ordinary-text Encode must not do.
    private static bool HasSpecialText(string s) => s.Contains("<|begin_of_text|>");

    [SkippableTheory]
    [InlineData("llama3", "llama3(all)")]
    [InlineData("llama2", "llama2")]
    [InlineData("cl100k_base", "cl100k_base(ordinary)")]
    [InlineData("o200k_base", "o200k_base(ordinary)")]
    [InlineData("gpt2", "gpt2(ordinary)")]
    public void Ids_equal_the_reference_for_every_string(string tokenizerName, string referenceKey)
    {
        var vectors = Vectors.Value;
        var tokenizer = TokenizerCatalog.Resolve(tokenizerName);
        var failures = new List<string>();
        for (int i = 0; i < vectors.Strings.Length; i++)
        {
            string text = vectors.Strings[i];
            if (tokenizerName == "llama3" && HasSpecialText(text)) continue; // checked in the next test
            var expected = vectors.Ids[referenceKey][i];
            var actual = tokenizer.Encode(text);
            if (!actual.SequenceEqual(expected))
                failures.Add($"#{i} {Escape(text)}\n  expected [{string.Join(",", expected)}]\n  actual   [{string.Join(",", actual)}]");
            if (tokenizer.CountTokens(text) != actual.Count) failures.Add($"#{i}: CountTokens {tokenizer.CountTokens(text)} != Encode().Count {actual.Count}");
            string decoded = tokenizer.Decode(actual);
            if (decoded != text) failures.Add($"#{i}: decode gave {Escape(decoded)}, expected {Escape(text)}");
        }
        Assert.True(failures.Count == 0, $"{tokenizerName}: {failures.Count} mismatches\n" + string.Join("\n", failures));
    }

    [SkippableFact]
    public void Llama3_encodes_special_token_text_as_ordinary_text()
    {
        var vectors = Vectors.Value;
        var llama3 = TokenizerCatalog.Resolve("llama3");
        int i = Array.FindIndex(vectors.Strings, HasSpecialText);
        var ids = llama3.Encode(vectors.Strings[i]);
        Assert.DoesNotContain(ids, id => id >= 128_000);
        // Llama 3's first 100,256 ranks and its pattern are cl100k_base's, so plain-ASCII text encodes the same.
        Assert.Equal(vectors.Ids["cl100k_base(ordinary)"][i], ids);
        Assert.Equal(vectors.Strings[i], llama3.Decode(ids));
        // The reference (which does turn it into a control id) differs only where the special text stood.
        Assert.Contains(128_000, vectors.Ids["llama3(all)"][i]);
    }

    internal static string Escape(string s) =>
        System.Text.Json.JsonSerializer.Serialize(s, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
