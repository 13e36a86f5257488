using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Tokenizers.ByteLevel;
using SmallLlm.Eval.Tokenizers.HuggingFace;
using SmallLlm.Eval.Tokenizers.SentencePiece;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>
/// tokenizer.json features against ids from @lenml/tokenizers (a transformers.js port; Reference/tokenizer_json): Qwen3's
/// file (NFC, Qwen2's regex, special and non-special added tokens in text), SmolLM2's pre-tokenizer (Digits + GPT-2
/// ByteLevel regex), GPT-2's add_prefix_space, lstrip/rstrip added tokens, and Llama 3.1; strings, corpus lines and
/// whole files, exactly. tokenizer_config.json decides the BOS prompts start with.
/// </summary>
public class TokenizerJsonFeatureTests
{
    private static readonly string Here = Path.Combine(RepoPaths.Root, "tests", "SmallLlm.Eval.Tokenizers.Tests", "Reference", "tokenizer_json");
    private static readonly Lazy<JsonDocument> Reference = new(() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Here, "reference.json"))));
    private static readonly Lazy<JsonObject> Qwen3Json = new(() =>
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(Here, "qwen3", "tokenizer.json.gz")), CompressionMode.Decompress);
        return JsonNode.Parse(gz)!.AsObject();
    });

    /// <summary>A folder with the variant's tokenizer.json and Qwen3's tokenizer_config.json (as the generator loads them).</summary>
    private static ITextTokenizer Variant(string name, string dir)
    {
        var json = (JsonObject)Qwen3Json.Value.DeepClone();
        using var variants = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Here, "variants.json")));
        foreach (var member in variants.RootElement.GetProperty(name).EnumerateObject())
        {
            if (member.Name == "extra_added_tokens")
                foreach (var t in member.Value.EnumerateArray()) json["added_tokens"]!.AsArray().Add(JsonNode.Parse(t.GetRawText()));
            else json[member.Name] = JsonNode.Parse(member.Value.GetRawText());
        }
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
        File.Copy(Path.Combine(Here, "qwen3", "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return TokenizerCatalog.Resolve(Path.Combine(dir, "tokenizer.json"));
    }

    private static bool HasNonAsciiNumeral(string s) =>
        s.EnumerateRunes().Any(r => r.Value > 127 && Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber);

    [SkippableTheory]
    [InlineData("qwen3")]
    [InlineData("smollm")]
    [InlineData("gpt2_prefix")]
    [InlineData("strip")]
    public void Byte_level_variants_give_the_reference_ids(string variant)
    {
        Skip.If(variant is "qwen3" or "strip" && IcuNfc.Library is null, "Qwen3's NFC normalizer needs the system ICU (libicuuc), which is absent");
        using var dir = new TempFolder();
        var t = Variant(variant, dir.Path);
        Assert.IsType<HuggingFaceByteLevelBpeTokenizer>(t);
        // transformers.js's Digits splits ASCII digits only; Hugging Face (and we) split every numeral (see SOURCE.md).
        Func<string, bool> skip = variant == "smollm" ? HasNonAsciiNumeral : _ => false;
        AssertReference(t, variant, skip);
    }

    [SkippableFact]
    public void Llama31_tokenizer_json_matches_added_tokens_in_text_as_transformers_does()
    {
        var t = TokenizerCatalog.Resolve(SharedFiles.Get("tokenizers/llama3/tokenizer.json"));
        // Llama 3.0's file has the same vocabulary and merges; 3.1 renamed three reserved special tokens.
        AssertReference(t, "llama3_1", s => s.Contains("<|python_tag|>") || s.Contains("<|eom_id|>") || s.Contains("<|finetune_right_pad_id|>"));
        Assert.Equal([128006, 882, 128007, 271, 13347, 128009], t.Encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"));
    }

    [SkippableFact]
    public void Llama2_sentence_piece_style_tokenizer_json_matches_added_tokens_and_prepends_every_piece()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("tokenizer.json"), HuggingFaceTokenizerJsonTests.Llama2StyleTokenizerJson());
        var t = TokenizerCatalog.Resolve(dir.File("tokenizer.json"));
        Assert.IsType<HuggingFaceSentencePieceBpeTokenizer>(t);
        AssertReference(t, "llama2", _ => false);
        Assert.Equal([1, 259, 2, 29871, 518, 25580, 29962], t.Encode("<s> </s> [INST]")); // each piece between added tokens gets its U+2581
    }

    private static void AssertReference(ITextTokenizer t, string key, Func<string, bool> skip)
    {
        var root = Reference.Value.RootElement;
        var result = root.GetProperty("results").GetProperty(key);
        var strings = root.GetProperty("strings").EnumerateArray().Select(s => s.GetString()!).ToArray();
        var expected = result.GetProperty("strings").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        var failures = new List<string>();
        int compared = 0;
        for (int i = 0; i < strings.Length; i++)
        {
            if (skip(strings[i])) continue;
            compared++;
            var ids = t.Encode(strings[i]);
            if (!ids.SequenceEqual(expected[i])) failures.Add($"string #{i} {JsonSerializer.Serialize(strings[i])}: [{string.Join(",", ids)}] vs [{string.Join(",", expected[i])}]");
            if (ids.Count != t.CountTokens(strings[i])) failures.Add($"string #{i}: CountTokens differs from Encode");
        }
        var lines = root.GetProperty("lines").EnumerateArray().Select(s => s.GetString()!).ToArray();
        var lineHashes = result.GetProperty("lines").EnumerateArray().Select(s => s.GetString()!).ToArray();
        for (int i = 0; i < lines.Length; i++)
        {
            if (skip(lines[i])) continue;
            compared++;
            if (Sha(t.Encode(lines[i])) != lineHashes[i]) failures.Add($"corpus line #{i} {JsonSerializer.Serialize(lines[i][..Math.Min(60, lines[i].Length)])}…: ids differ");
        }
        string corpora = Path.Combine(RepoPaths.Root, "tasks", "tokenizer_compression", "corpora");
        foreach (var file in result.GetProperty("files").EnumerateObject())
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(corpora, file.Name)));
            if (skip(text)) continue;
            compared++;
            var ids = t.Encode(text);
            if (Sha(ids) != file.Value.GetProperty("sha256").GetString())
                failures.Add($"{file.Name}: {ids.Count} tokens, reference {file.Value.GetProperty("count").GetInt32()}; ids differ");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} differ:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(compared > 600, $"only {compared} texts compared");
    }

    private static string Sha(IReadOnlyList<int> ids) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", ids))));

    [SkippableFact]
    public void Tokenizer_config_decides_the_bos()
    {
        Skip.If(IcuNfc.Library is null, "Qwen3's NFC normalizer needs the system ICU (libicuuc), which is absent");
        using var dir = new TempFolder();
        var qwen = Variant("qwen3", dir.Path);
        Assert.Null(qwen.BosId);                  // add_bos_token false: Qwen prompts start without BOS
        Assert.Equal(151645, qwen.EosId);         // eos_token <|im_end|>
        var config = JsonNode.Parse(File.ReadAllText(dir.File("tokenizer_config.json")))!;
        config["add_bos_token"] = true;
        config["bos_token"] = new JsonObject { ["content"] = "<|endoftext|>", ["special"] = true };
        File.WriteAllText(dir.File("tokenizer_config.json"), config.ToJsonString());
        Assert.Equal(151643, TokenizerCatalog.Resolve(dir.File("tokenizer.json")).BosId);
        config["add_bos_token"] = "yes";
        File.WriteAllText(dir.File("tokenizer_config.json"), config.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.json")));
        Assert.Contains("tokenizer_config.json: 'add_bos_token' must be true or false", e.Message);
    }

    [SkippableFact]
    public void Without_a_tokenizer_config_the_template_post_processor_decides_the_bos()
    {
        string llama3 = SharedFiles.Get("tokenizers/llama3/tokenizer.json");
        using var dir = new TempFolder();
        var json = JsonNode.Parse(File.ReadAllText(llama3))!;
        json["post_processor"] = JsonNode.Parse("""{ "type": "TemplateProcessing", "single": [ { "SpecialToken": { "id": "<|begin_of_text|>", "type_id": 0 } }, { "Sequence": { "id": "A", "type_id": 0 } } ] }""");
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        Assert.Equal(128000, TokenizerCatalog.Resolve(dir.File("tokenizer.json")).BosId);
        json["post_processor"] = JsonNode.Parse("""{ "type": "TemplateProcessing", "single": [ { "Sequence": { "id": "A", "type_id": 0 } } ] }""");
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        Assert.Null(TokenizerCatalog.Resolve(dir.File("tokenizer.json")).BosId);            // a template that adds nothing
        File.WriteAllText(dir.File("tokenizer_config.json"), """{ "add_bos_token": true, "bos_token": "<|begin_of_text|>" }""");
        Assert.Equal(128000, TokenizerCatalog.Resolve(dir.File("tokenizer.json")).BosId);   // tokenizer_config.json wins
    }

    [Theory]
    [InlineData("pre_tokenizer", """{ "type": "Sequence", "pretokenizers": [ { "type": "Whitespace" }, { "type": "ByteLevel", "add_prefix_space": false, "use_regex": false } ] }""", "pre_tokenizer 'Whitespace' is not supported in a byte-level tokenizer")]
    [InlineData("pre_tokenizer", """{ "type": "Sequence", "pretokenizers": [ { "type": "Split", "pattern": { "Regex": "\\s+" }, "behavior": "MergedWithPrevious", "invert": false }, { "type": "ByteLevel", "add_prefix_space": false, "use_regex": false } ] }""", "Split behavior 'MergedWithPrevious' is not supported")]
    [InlineData("normalizer", """{ "type": "NFKC" }""", "normalizer 'NFKC' is not supported in a byte-level tokenizer (only NFC)")]
    [InlineData("normalizer", """{ "type": "Sequence", "normalizers": [ { "type": "NFC" }, { "type": "Lowercase" } ] }""", "normalizer 'Lowercase' is not supported")]
    public void Features_that_cannot_be_exact_are_refused(string member, string json, string expected)
    {
        using var dir = new TempFolder();
        var doc = (JsonObject)Qwen3Json.Value.DeepClone();
        doc[member] = JsonNode.Parse(json);
        File.WriteAllText(dir.File("tokenizer.json"), doc.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.json")));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Single_word_added_tokens_are_refused()
    {
        using var dir = new TempFolder();
        var doc = (JsonObject)Qwen3Json.Value.DeepClone();
        doc["added_tokens"]!.AsArray().Add(JsonNode.Parse("""{ "id": 151669, "content": "word", "single_word": true, "lstrip": false, "rstrip": false, "normalized": false, "special": false }"""));
        File.WriteAllText(dir.File("tokenizer.json"), doc.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.json")));
        Assert.Contains("added token 'word' has single_word true, which is not implemented", e.Message);
    }
}
