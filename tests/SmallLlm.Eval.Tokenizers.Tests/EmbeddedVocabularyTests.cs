using SmallLlm.Eval.Tokenizers.SentencePiece;
using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Tokenizers.Tests;

/// <summary>The vocabularies embedded in the assembly are exactly the reference files in ../shared.</summary>
public class EmbeddedVocabularyTests
{
    [SkippableFact]
    public void Llama3_ranks_equal_metas_tokenizer_model()
    {
        string path = SharedFiles.Get("tokenizers/llama3/tokenizer.model");
        var reference = TiktokenFile.Read(File.ReadAllBytes(path), path);
        var embedded = EmbeddedVocabularies.Llama3Tokens();
        Assert.Equal(128_000, embedded.Length);
        Assert.Equal(reference.Length, embedded.Length);
        for (int i = 0; i < reference.Length; i++) Assert.True(reference[i].AsSpan().SequenceEqual(embedded[i]), $"rank {i} differs");
        var specials = EmbeddedVocabularies.Llama3SpecialTokens();
        Assert.Equal(256, specials.Count);
        Assert.Equal(128_000, specials["<|begin_of_text|>"]);
        Assert.Equal(128_009, specials["<|eot_id|>"]);
    }

    [SkippableFact]
    public void Llama2_model_and_tok512_are_byte_identical_to_the_shared_files()
    {
        Assert.Equal(File.ReadAllBytes(SharedFiles.Get("tokenizers/llama2/tokenizer.model")), EmbeddedVocabularies.Read("llama2.model.gz"));
        Assert.Equal(File.ReadAllBytes(SharedFiles.Get("models/stories260K/tok512.bin")), EmbeddedVocabularies.Read("tok512.bin"));
    }

    [SkippableFact]
    public void Loading_the_shared_files_by_path_gives_the_built_in_ids()
    {
        string text = "def f(x):\n\treturn x  # 𝟏𝟐𝟑 中文 Привет";
        Assert.Equal(TokenizerCatalog.Resolve("llama3").Encode(text), TokenizerCatalog.Resolve(SharedFiles.Get("tokenizers/llama3/tokenizer.model")).Encode(text));
        Assert.Equal(TokenizerCatalog.Resolve("llama2").Encode(text), TokenizerCatalog.Resolve(SharedFiles.Get("tokenizers/llama2/tokenizer.model")).Encode(text));
        Assert.Equal(TokenizerCatalog.Resolve("tok512").Encode(text), TokenizerCatalog.Resolve(SharedFiles.Get("models/stories260K")).Encode(text));
    }
}

public class Llama2CFormatTests
{
    [SkippableFact]
    public void Llama2_vocabulary_in_llama2c_format_with_run_c_semantics_gives_sentencepiece_ids()
    {
        var vectors = ReferenceVectors.Load();
        var t = TokenizerCatalog.Resolve(SharedFiles.Get("tokenizers/llama2/tokenizer.llama2c.bin"));
        Assert.IsType<Llama2CTokenizer>(t);
        Assert.Equal(32_000, t.VocabSize);
        for (int i = 0; i < vectors.Strings.Length; i++)
        {
            Assert.Equal(vectors.Ids["llama2"][i], t.Encode(vectors.Strings[i]));
            Assert.Equal(vectors.Strings[i], t.Decode(t.Encode(vectors.Strings[i])));
        }
        var llama2 = TokenizerCatalog.Resolve("llama2");
        foreach (string file in new[] { "code/python/binary_search.py", "udhr/rus.txt", "english/tinystories_sample.txt" })
        {
            string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tasks", "tokenizer_compression", "corpora", file));
            Assert.Equal(llama2.Encode(text), t.Encode(text));
        }
    }
}
