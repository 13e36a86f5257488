using System.Text.Json;

namespace SmallLlm.Eval.Tokenizers.Tests;

public class Tok512Tests
{
    [SkippableFact]
    public void Encodes_the_reference_prompt_like_llama2c_run_c()
    {
        string meta = SharedFiles.Get("models/stories260K/reference/s260_33/meta.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(meta));
        string prompt = doc.RootElement.GetProperty("prompt_text").GetString()!;
        int[] reference = doc.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var tok512 = TokenizerCatalog.Resolve("tok512");
        Assert.Equal(1, reference[0]);
        Assert.Equal(tok512.BosId, reference[0]);
        // The reference holds BOS and the first 32 tokens of the prompt.
        var ids = tok512.Encode(prompt);
        Assert.True(ids.Count > 32, $"the prompt gave only {ids.Count} tokens");
        Assert.Equal(reference[1..], ids.Take(reference.Length - 1));
        string decodedPrefix = tok512.Decode(reference);
        Assert.StartsWith(decodedPrefix, prompt);
        Assert.Equal(prompt, tok512.Decode(ids));
    }

    [Fact]
    public void Uses_byte_tokens_for_characters_outside_the_vocabulary()
    {
        var tok512 = TokenizerCatalog.Resolve("tok512");
        Assert.Equal(512, tok512.VocabSize);
        var ids = tok512.Encode("中");
        // " " dummy prefix, then E4 B8 AD as byte tokens (id = byte + 3).
        Assert.Equal([0xE4 + 3, 0xB8 + 3, 0xAD + 3], ids.Skip(ids.Count - 3));
        Assert.Equal("中", tok512.Decode(ids));
        Assert.Equal("<0xE4>", tok512.IdToPiece(0xE4 + 3));
    }
}
