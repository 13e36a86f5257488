using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>
/// Whole bundled corpus files (code in 8 languages, English prose, UDHR and FLORES in ~60 languages) against ids from
/// SentencePiece C++ and Rust tiktoken (Reference/long_texts.json, made by Reference/make_reference.sh).
/// </summary>
public class LongTextTests
{
    private static readonly string Corpora = Path.Combine(RepoPaths.Root, "tasks", "tokenizer_compression", "corpora");

    public static TheoryData<string> Tokenizers => new() { "llama2", "llama3", "cl100k_base", "o200k_base", "gpt2" };

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Ids_of_every_bundled_corpus_file_equal_the_reference(string tokenizerName)
    {
        string referencePath = Path.Combine(RepoPaths.Root, "tests", "SmallLlm.Eval.Tokenizers.Tests", "Reference", "long_texts.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(referencePath));
        var tokenizer = TokenizerCatalog.Resolve(tokenizerName);
        var failures = new List<string>();
        int files = 0;
        foreach (var file in doc.RootElement.GetProperty("files").EnumerateObject())
        {
            var expected = file.Value.GetProperty(tokenizerName);
            // Keep a byte-order mark as U+FEFF, as the references (Python, Node) do; File.ReadAllText would drop it.
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Corpora, file.Name)));
            var ids = tokenizer.Encode(text);
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", ids))));
            int expectedCount = expected.GetProperty("count").GetInt32();
            if (hash != expected.GetProperty("sha256").GetString())
                failures.Add($"{file.Name}: {ids.Count} tokens, reference {expectedCount}; ids differ");
            files++;
        }
        Assert.True(files > 100, $"only {files} reference files");
        Assert.True(failures.Count == 0, $"{tokenizerName}: {failures.Count} of {files} files differ:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Counts_do_not_depend_on_the_order_texts_are_encoded_in()
    {
        // Microsoft.ML.Tokenizers' own cl100k path gives 1,229,785 tokens for these files in name order and 1,229,815
        // in reverse order (its cache); tiktoken says 1,229,810. Ours must not depend on history.
        var texts = Directory.EnumerateFiles(Corpora, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))).ToArray();
        var forward = BuiltInTokenizers.ByName["cl100k_base"].Value;
        var backward = (ITextTokenizer)BuiltInTokenizers.Llama3Style("fresh", EmbeddedVocabularies.Llama3Tokens());
        long llama3Forward = texts.Sum(t => (long)TokenizerCatalog.Resolve("llama3").CountTokens(t));
        long llama3Backward = texts.Reverse().Sum(t => (long)backward.CountTokens(t));
        Assert.Equal(llama3Forward, llama3Backward);
        Assert.Equal(1_229_810, texts.Reverse().Sum(t => (long)forward.CountTokens(t)));
    }
}
