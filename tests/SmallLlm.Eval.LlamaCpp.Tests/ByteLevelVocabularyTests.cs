using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>
/// Our GGUF writer's "gpt2" (byte-level BPE, Llama 3 style) vocabulary path: a random-weight model with Llama 3's
/// tokenizer.json written as GGUF, loaded back by llama.cpp, tokenizes text as our tokenizer does and scores as the
/// built-in engine does on the same weights.
/// </summary>
public sealed class ByteLevelVocabularyTests
{
    private static readonly string[] Texts =
    [
        "Once upon a time, there was a little girl named Lily.",
        "I'm sure they'll say it's what we've done; don't you think?",
        "Numbers: 1, 12, 123, 1234, 12345 and 3.14159 or -0.5e10.",
        "  leading spaces,\ttabs\tand\n\nnewlines\r\n  and trailing   ",
        "Ünïcödé: héllo wörld, naïve café, Straße, Ελληνικά, русский",
        "日本語のテキストと中文字符，한국어도 있어요。",
        "Emoji 🙂🚀 and symbols ©®™ — “quotes” … ‹›",
        "def square(x):\n    return x ** 2  # comment\n\nprint(square(12))",
        "<|begin_of_text|> is a special token in this text (as transformers reads it); <s> and </s> are text.",
    ];

    [SkippableFact]
    public void A_llama3_vocabulary_gguf_tokenizes_like_ours_and_scores_like_the_engine()
    {
        string file = SharedFiles.Get("tokenizers/llama3/tokenizer.json");
        var tok = TokenizerCatalog.Resolve(file);
        var config = RandomWeights.Stories(64, 1, 4, vocab: tok.VocabSize, context: 256);
        string path = GgufFixture.Temp("random-llama3-vocab.gguf");
        using (var weights = RandomWeights.Create(config, ModelDType.Float32, seed: 7))
            GgufCheckpointWriter.Write(weights, GgufVocabularies.From(tok, file), path, GgmlType.F32, "random-llama3");
        Assert.Equal("gpt2", GgufFile.Read(path).GetString("tokenizer.ggml.model"));

        using var cpp = LlamaCppModel.Load(path);
        Assert.Equal(tok.VocabSize, cpp.VocabSize);
        Assert.Equal(tok.BosId, cpp.BosId);
        Assert.True(cpp.AddBos);
        foreach (var text in Texts)
        {
            int[] ours = [.. tok.Encode(text)];
            Assert.True(ours.SequenceEqual(cpp.Tokenize(text)), $"'{text}': ours [{string.Join(",", ours)}], llama.cpp [{string.Join(",", cpp.Tokenize(text))}]");
            if (text != Texts[^1]) Assert.Equal(text, cpp.Decode(ours)); // the last one's special token decodes to nothing
        }

        using var engine = new LlamaModel(RandomWeights.Create(config, ModelDType.Float32, seed: 7));
        var scorer = new TokenScorer(engine);
        foreach (var text in Texts[..4])
        {
            int[] ids = [tok.BosId!.Value, .. tok.Encode(text)];
            var request = new ContinuationRequest(ids[..1], ids[1..]);
            var expected = scorer.Loglikelihood([request])[0].TokenLogProbs;
            var actual = cpp.Loglikelihood([request])[0].TokenLogProbs;
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"'{text}' token {i}: llama.cpp {actual[i]}, engine {expected[i]}");
        }
    }
}
