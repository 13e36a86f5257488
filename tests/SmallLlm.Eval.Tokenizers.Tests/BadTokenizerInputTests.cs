namespace SmallLlm.Eval.Tokenizers.Tests;

public class BadTokenizerInputTests
{
    [Fact]
    public void An_unknown_name_lists_the_known_ones()
    {
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve("llama4"));
        Assert.Contains("unknown tokenizer 'llama4'", e.Message);
        foreach (string name in TokenizerCatalog.BuiltInNames) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void A_folder_without_a_tokenizer_says_what_it_looked_for()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.Path));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("tok*.bin", e.Message);
    }

    [Fact]
    public void A_tiktoken_file_with_a_bad_line_names_the_line()
    {
        using var dir = new TempFolder();
        var lines = Enumerable.Range(0, 256).Select(b => Convert.ToBase64String([(byte)b]) + " " + b).ToList();
        lines[100] = "!!notbase64!! 100";
        File.WriteAllLines(dir.File("tokenizer.model"), lines);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.model")));
        Assert.Contains("line 101", e.Message);
        Assert.Contains("not valid base64", e.Message);
        lines[100] = Convert.ToBase64String([100]) + " 7";
        File.WriteAllLines(dir.File("tokenizer.model"), lines);
        e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.model")));
        Assert.Contains("line 101: rank 7 out of order", e.Message);
    }

    [Fact]
    public void A_truncated_sentencepiece_model_says_where()
    {
        using var dir = new TempFolder();
        using var model = BuiltInVocabularyFiles.Llama2SentencePieceModel();
        var bytes = ((MemoryStream)model).ToArray();
        File.WriteAllBytes(dir.File("tokenizer.model"), bytes[..1000]);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tokenizer.model")));
        Assert.Contains("malformed SentencePiece protobuf at byte", e.Message);
    }

    [Fact]
    public void A_truncated_llama2c_tokenizer_names_the_token()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("tok512.bin"), EmbeddedVocabularies.Read("tok512.bin")[..3000]);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Resolve(dir.File("tok512.bin")));
        Assert.Matches(@"token #\d+ at byte \d+", e.Message);
    }

    [Fact]
    public void Decoding_an_id_outside_the_vocabulary_is_an_argument_error()
    {
        foreach (string name in new[] { "llama2", "llama3", "tok512" })
        {
            var t = TokenizerCatalog.Resolve(name);
            var e = Assert.Throws<ArgumentException>(() => t.Decode([t.VocabSize + 5]));
            Assert.Contains((t.VocabSize + 5).ToString(), e.Message);
        }
    }
}
