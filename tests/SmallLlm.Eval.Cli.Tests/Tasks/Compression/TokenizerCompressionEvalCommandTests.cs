using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Tests.Tasks.Compression;

/// <summary>End to end: `smalleval eval --tasks tokenizer_compression` on stories260K, checked against direct counts.</summary>
public sealed class TokenizerCompressionEvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compression-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Eval_reports_tokens_per_byte_for_the_model_tokenizer_and_the_named_ones()
    {
        string root = RepoPaths.Root;
        string corpus = Path.Combine(_dir, "corpus");
        Directory.CreateDirectory(corpus);
        string story = File.ReadAllText(Path.Combine(root, "tasks", "perplexity", "data", "tinystories_sample.txt"));
        string code = File.ReadAllText(Path.Combine(root, "tasks", "tokenizer_compression", "corpora", "code", "python", "bubble_sort.py"));
        File.WriteAllText(Path.Combine(corpus, "story.txt"), story);
        File.WriteAllText(Path.Combine(corpus, "code.py"), code);
        File.WriteAllText(Path.Combine(corpus, "empty.txt"), "");
        File.WriteAllBytes(Path.Combine(corpus, "image.png"), [0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]);

        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "tokenizer_compression", "--data-dir", corpus,
            "--tasks-dir", Path.Combine(root, "tasks"), "--output", _dir, "--no-cache");
        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(_dir, "tokenizer_compression"))).RootElement;
        var metrics = result.GetProperty("metrics");
        var counts = result.GetProperty("counts");

        long bytes = Encoding.UTF8.GetByteCount(story) + Encoding.UTF8.GetByteCount(code);
        double Expected(string tokenizer) =>
            (double)(TokenizerCatalog.Resolve(tokenizer).CountTokens(story) + TokenizerCatalog.Resolve(tokenizer).CountTokens(code)) / bytes;
        Assert.Equal(bytes, counts.GetProperty("bytes").GetInt64());
        Assert.Equal(1, counts.GetProperty("files_skipped").GetInt64());   // the PNG; the empty file counts as 0 bytes
        Assert.Equal(Expected("tok512"), metrics.GetProperty("tokens_per_byte").GetProperty("value").GetDouble(), 12);
        Assert.Equal(Expected("llama3"), metrics.GetProperty("tokens_per_byte:llama3").GetProperty("value").GetDouble(), 12);
        Assert.Equal(Expected("llama2"), metrics.GetProperty("tokens_per_byte:llama2").GetProperty("value").GetDouble(), 12);
        // A 512-token vocabulary needs far more tokens per byte than Llama 3's 128K.
        Assert.True(metrics.GetProperty("tokens_per_byte").GetProperty("value").GetDouble() > 1.5 * Expected("llama3"));
        Assert.Contains(result.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("image.png"));
    }
}
