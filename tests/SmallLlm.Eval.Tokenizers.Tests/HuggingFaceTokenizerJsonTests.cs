using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Tokenizers.ByteLevel;
using SmallLlm.Eval.Tokenizers.SentencePiece;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>tokenizer.json files: Llama 3's (byte-level BPE) and a Llama 2 SentencePiece-style one built from the real merges.</summary>
public class HuggingFaceTokenizerJsonTests
{
    private static readonly Lazy<ReferenceVectors> Vectors = new(ReferenceVectors.Load);
    private static readonly Lazy<ITextTokenizer> Llama3Json = new(() => TokenizerCatalog.Resolve(SharedFiles.Get("tokenizers/llama3/tokenizer.json")));

    [SkippableFact]
    public void Llama3_tokenizer_json_gives_the_reference_ids_and_round_trips()
    {
        var t = Llama3Json.Value;
        Assert.IsType<HuggingFaceByteLevelBpeTokenizer>(t);
        Assert.Equal(128_256, t.VocabSize);
        Assert.Equal(128_000, t.BosId);
        Assert.Equal(128_001, t.EosId);
        AssertVectors(t, "llama3(all)", skip: s => s.Contains("<|begin_of_text|>"));
    }

    [SkippableFact]
    public void Llama3_tokenizer_json_matches_tiktoken_on_long_texts()
    {
        var t = Llama3Json.Value;
        AssertLongTexts(t, "llama3", ["code/c/cJSON.c", "code/python/binary_search.py", "english/tinyshakespeare_first200k.txt", "udhr/cmn_hans.txt", "flores/hin_Deva.txt", "udhr/amh.txt"]);
    }

    [SkippableFact]
    public void A_model_folder_brings_its_tokenizer_json()
    {
        string source = SharedFiles.Get("tokenizers/llama3/tokenizer.json");
        using var dir = new TempFolder();
        File.CreateSymbolicLink(dir.File("tokenizer.json"), source);
        File.WriteAllText(dir.File("config.json"), "{}");
        var t = TokenizerCatalog.Resolve(dir.Path);
        Assert.Equal([9906, 1917, 0], t.Encode("Hello world!"));
    }

    [SkippableFact]
    public void SentencePiece_style_tokenizer_json_of_llama2_gives_the_reference_ids()
    {
        using var dir = new TempFolder();
        string path = dir.File("tokenizer.json");
        File.WriteAllText(path, Llama2StyleTokenizerJson());
        var t = TokenizerCatalog.Resolve(path);
        Assert.IsType<HuggingFaceSentencePieceBpeTokenizer>(t);
        Assert.Equal(1, t.BosId);
        // SentencePiece (the reference here) reads "<s>" in text as text; Hugging Face matches it as the added token.
        AssertVectors(t, "llama2", skip: s => s.Contains("<s>") || s.Contains("</s>") || s.Contains("<unk>"));
        AssertLongTexts(t, "llama2", ["code/c/cJSON.c", "english/tinystories_sample.txt", "udhr/jpn.txt", "flores/tam_Taml.txt"]);
    }

    [Fact]
    public void Malformed_tokenizer_json_says_what_is_wrong()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("a.json")));
        Assert.Contains("not valid JSON", e.Message);
        File.WriteAllText(dir.File("b.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("b.json")));
        Assert.Contains("model.type 'Unigram' is not supported", e.Message);
        File.WriteAllText(dir.File("c.json"), "{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"x\"}, \"merges\": []}}");
        e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("c.json")));
        Assert.Contains("model.vocab['a'] is not a non-negative integer id", e.Message);
        File.WriteAllText(dir.File("d.json"), "{\"normalizer\": {\"type\": \"NFKC\"}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}");
        e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("d.json")));
        Assert.Contains("normalizer 'NFKC' is not supported", e.Message);
    }

    [Theory]
    [InlineData("\"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []", "model.vocab gives id 0 to both 'a' and 'b'")]
    [InlineData("\"vocab\": {\"a\": 0, \"b\": 300000000}, \"merges\": []", "model.vocab['b'] is 300000000: ids above 16777215 are refused")]
    [InlineData("\"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": \"nope\", \"x\": {", "added_tokens is string, expected an array")]
    [InlineData("\"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": [{\"id\": \"1\", \"content\": \"<s>\"}], \"x\": {", "added_tokens[0] needs 'id' (a non-negative integer)")]
    [InlineData("\"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": [{\"id\": 300000000, \"content\": \"<s>\"}], \"x\": {", "added_tokens[0].id is 300000000")]
    public void Hostile_tokenizer_json_values_are_refused_by_name(string model, string message)
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("t.json"), "{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", " + model + "}}");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("t.json")));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(dir.File("t.json"), e.Message);
    }

    /// <summary>The Llama 2 vocabulary and merges (../shared/tokenizers/llama2/vocab_merges.json) in the legacy Llama 2 tokenizer.json layout.</summary>
    internal static string Llama2StyleTokenizerJson()
    {
        var source = JsonNode.Parse(File.ReadAllText(SharedFiles.Get("tokenizers/llama2/vocab_merges.json")))!;
        var model = source["model"]!.DeepClone().AsObject();
        model["byte_fallback"] = true;
        model["unk_token"] = "<unk>";
        model["fuse_unk"] = true;
        var doc = new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                new JsonObject { ["id"] = 0, ["content"] = "<unk>", ["special"] = true },
                new JsonObject { ["id"] = 1, ["content"] = "<s>", ["special"] = true },
                new JsonObject { ["id"] = 2, ["content"] = "</s>", ["special"] = true }),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "\u2581" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "\u2581" }),
            },
            ["pre_tokenizer"] = null,
            ["model"] = model,
        };
        return doc.ToJsonString();
    }

    private static void AssertVectors(ITextTokenizer t, string key, Func<string, bool> skip)
    {
        var v = Vectors.Value;
        var failures = new List<string>();
        for (int i = 0; i < v.Strings.Length; i++)
        {
            if (skip(v.Strings[i])) continue;
            var ids = t.Encode(v.Strings[i]);
            if (!ids.SequenceEqual(v.Ids[key][i])) failures.Add($"#{i} {ReferenceVectorTests.Escape(v.Strings[i])}: [{string.Join(",", ids)}] vs [{string.Join(",", v.Ids[key][i])}]");
            if (t.Decode(ids) != v.Strings[i]) failures.Add($"#{i}: decode gave {ReferenceVectorTests.Escape(t.Decode(ids))}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void AssertLongTexts(ITextTokenizer t, string key, string[] files)
    {
        string repo = RepoPaths.Root;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repo, "tests", "SmallLlm.Eval.Tokenizers.Tests", "Reference", "long_texts.json")));
        foreach (string file in files)
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(repo, "tasks", "tokenizer_compression", "corpora", file)));
            var ids = t.Encode(text);
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", ids))));
            var expected = doc.RootElement.GetProperty("files").GetProperty(file).GetProperty(key);
            Assert.True(expected.GetProperty("sha256").GetString() == hash, $"{file}: {ids.Count} tokens, reference {expected.GetProperty("count").GetInt32()}; ids differ");
        }
    }
}
