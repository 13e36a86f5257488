using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli.Tests.LlamaCpp;

/// <summary>Broken GGUF input is a named one-line error and exit code 2, never a crash or a half-written file.</summary>
public sealed class BadGgufTests
{
    private static CliRun Eval(string model) => CliRun.InProcess("eval", "-m", model, "--tasks", "arc_easy", "--limit", "1", "-o", GgufFixture.Temp("bad-out"), "--no-cache");

    [Fact]
    public void A_truncated_gguf_is_named()
    {
        string path = GgufFixture.Temp("truncated.gguf");
        var bytes = File.ReadAllBytes(GgufFixture.Stories260K());
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var run = Eval(path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("truncated", run.Stderr);
        Assert.Contains("truncated.gguf", run.Stderr);
        var header = CliRun.InProcess("model", "info", "-m", path[..]);
        Assert.Equal(2, header.ExitCode);
    }

    [Fact]
    public void A_file_that_is_not_gguf_is_named()
    {
        string path = GgufFixture.Temp("not-really.gguf");
        File.WriteAllText(path, "this is a text file with a .gguf extension, long enough to hold a header");
        var run = Eval(path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a GGUF file", run.Stderr);
    }

    [Fact]
    public void An_architecture_llama_cpp_does_not_know_is_named()
    {
        string path = GgufFixture.Temp("unknown-arch.gguf");
        var source = GgufFile.Read(GgufFixture.Stories260K());
        var metadata = new List<(string, GgufValueType, object)>
        {
            ("general.architecture", GgufValueType.String, "nosucharch"),
            ("nosucharch.context_length", GgufValueType.UInt32, 64),
        };
        var tensor = new GgufTensorData("token_embd.weight", [4, 4], GgmlType.F32, new byte[64]);
        GgufWriter.Write(path, metadata, [tensor]);
        var run = Eval(path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nosucharch", run.Stderr);
        Assert.Contains("llama.cpp cannot load", run.Stderr);
        Assert.Equal("llama", source.Architecture);
    }

    [Fact]
    public void Kld_refuses_models_with_different_tokenizers()
    {
        // Same size of vocabulary, other merge scores: the same text becomes other tokens.
        string path = GgufFixture.Temp("other-tokenizer.gguf");
        var original = SmallLlm.Eval.Conversion.GgufVocabularies.From(LocalLanguageModel.ResolveTokenizer("stories260K", null), null);
        var shuffled = original with { Scores = original.Scores!.Select(s => -s).ToArray() };
        using (var weights = SmallLlm.Eval.Engine.Checkpoints.CheckpointLoader.Load("stories260K", SmallLlm.Eval.Engine.ModelDType.Float32))
            GgufCheckpointWriter.Write(weights, shuffled, path, GgmlType.F32, "other");
        var run = CliRun.InProcess("kld", "--base", "stories260K", "--model", path, "--limit", "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("same tokenizer", run.Stderr);
    }
}
