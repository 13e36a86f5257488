using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// One model spec, one loader: the same stories260K as the bundled engine and as a GGUF file (our writer's, and
/// llama.cpp's own conversion in ../shared when present) goes through `model logprobs`, greedy `generate` and `kld`
/// with the same numbers; `convert --from x.gguf` reads f32/f16/bf16 GGUF files back (quantized ones refused); a
/// llama2.c .bin without a tokenizer beside it compares through `kld --tokenizer`; what a remote server cannot do is
/// refused by name.
/// </summary>
public sealed class ModelSpecCommandTests : IDisposable
{
    private readonly string _dir = RepoPaths.Temp("model-spec");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // BOS + "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One" in tok512
    // ids, and llama2.c's mean NLL for them (../shared/models/stories260K/reference/s260_33), as in ModelCommandTests.
    private const string ReferenceIds = "1,403,407,261,378,432,383,286,261,376,298,315,421,395,317,426,338,401,396,267,337,410,408,419,292,411,322,265,282,295,433,426,385";
    private const double ReferenceMeanNll = 0.1768175;

    private static double[] LogProbs(JsonElement j) => j.GetProperty("logprobs").EnumerateArray().Skip(1).Select(x => x.GetDouble()).ToArray();

    private static IEnumerable<string> Ggufs()
    {
        yield return GgufFixture.Stories260K("f32");
        if (SharedFiles.TryGet($"{SharedFiles.Stories}/stories260K.gguf") is string shared) yield return shared;
    }

    [Fact]
    public void Logprobs_of_a_gguf_reproduce_the_llama2c_reference_and_the_bundled_engine_within_1e_4()
    {
        var bundled = CliRun.InProcess("model", "logprobs", "-m", "stories260K", "--tokens", ReferenceIds, "--json");
        Assert.True(bundled.ExitCode == 0, bundled.ToString());
        var expected = LogProbs(bundled.Json());
        foreach (string gguf in Ggufs())
        {
            var run = CliRun.InProcess("model", "logprobs", "-m", gguf, "--tokens", ReferenceIds, "--json");
            Assert.True(run.ExitCode == 0, $"{gguf}: {run}");
            var j = run.Json();
            Assert.Equal(ReferenceMeanNll, j.GetProperty("mean_nll").GetDouble(), 1e-5);
            var actual = LogProbs(j);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4, $"{gguf}: token {i + 1}: bundled {expected[i]}, gguf {actual[i]}");
        }
        // Text goes through the GGUF's own vocabulary (llama.cpp's tokenizer), which splits as tok512 does.
        var text = CliRun.InProcess("model", "logprobs", "-m", GgufFixture.Stories260K("f32"), "--text", "Once upon a time, there was a little girl named Lily.", "--json");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.StartsWith(string.Join(",", ReferenceIds.Split(',').Take(13)), string.Join(",", text.Json().GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())));
    }

    [Fact]
    public void Greedy_generate_on_a_gguf_gives_the_bundled_engines_tokens_and_text()
    {
        string[] Args(string model) => ["generate", "-m", model, "--prompt", "Once upon a time", "-n", "40", "--json"];
        var bundled = CliRun.InProcess(Args("stories260K"));
        Assert.True(bundled.ExitCode == 0, bundled.ToString());
        foreach (string gguf in Ggufs())
        {
            var run = CliRun.InProcess(Args(gguf));
            Assert.True(run.ExitCode == 0, $"{gguf}: {run}");
            Assert.Equal(bundled.Json().GetProperty("tokens").ToString(), run.Json().GetProperty("tokens").ToString());
            Assert.Equal(bundled.Json().GetProperty("text").GetString(), run.Json().GetProperty("text").GetString());
        }
    }

    [Fact]
    public void Kld_of_the_gguf_from_the_bundled_model_is_zero()
    {
        var run = CliRun.InProcess("kld", "--base", "stories260K", "--model", GgufFixture.Stories260K("f32"), "--limit", "2", "--json", "-o", Path.Combine(_dir, "kld"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var j = run.Json();
        Assert.True(j.GetProperty("tokens").GetInt64() > 0);
        Assert.InRange(j.GetProperty("mean_kld").GetDouble(), -1e-9, 1e-6); // f32 weights both sides: rounding only
        Assert.Equal(1.0, j.GetProperty("top1_agreement").GetDouble());
    }

    [Fact]
    public void Kld_takes_a_tokenizer_for_a_llama2c_bin_that_brings_none()
    {
        string bin = Path.Combine(_dir, "alone", "stories260K.bin"); // no tok512.bin beside it
        Directory.CreateDirectory(Path.GetDirectoryName(bin)!);
        File.Copy(SharedFiles.Get($"{SharedFiles.Stories}/stories260K.bin"), bin);
        string[] args = ["kld", "--base", "stories260K", "--model", bin, "--limit", "2", "--json", "-o", Path.Combine(_dir, "kld")];
        var without = CliRun.InProcess(args);
        Assert.True(without.ExitCode == 2, without.ToString());
        Assert.Contains("brings no tokenizer", without.Stderr);
        Assert.Contains("--tokenizer", without.Stderr);
        var with = CliRun.InProcess([.. args, "--tokenizer", "tok512"]);
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Equal(0.0, with.Json().GetProperty("mean_kld").GetDouble(), 1e-12); // the same weights on the same engine
    }

    [Theory]
    [InlineData("f32", 1e-5)]
    [InlineData("f16", 5e-3)] // the weights rounded to half precision
    [InlineData("bf16", 5e-2)] // to 8 bits of mantissa
    public void Convert_from_a_gguf_writes_a_folder_that_scores_like_the_bundled_model(string type, double tolerance)
    {
        string folder = Path.Combine(_dir, "from-" + type);
        var convert = CliRun.InProcess("convert", "--from", GgufFixture.Stories260K(type), "--to", folder);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        var bundled = CliRun.InProcess("model", "logprobs", "-m", "stories260K", "--tokens", ReferenceIds, "--json");
        var run = CliRun.InProcess("model", "logprobs", "-m", folder, "--tokens", ReferenceIds, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ReferenceMeanNll, run.Json().GetProperty("mean_nll").GetDouble(), tolerance);
        var expected = LogProbs(bundled.Json());
        var actual = LogProbs(run.Json());
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * 10, $"{type}: token {i + 1}: bundled {expected[i]}, converted {actual[i]}");
    }

    [Fact]
    public void Convert_refuses_a_quantized_gguf_by_tensor_and_type()
    {
        string q4 = Path.Combine(_dir, "q4_k_m.gguf");
        var quantize = CliRun.InProcess("quantize", "--from", GgufFixture.Stories260K(), "--to", q4, "--type", "q4_k_m");
        Assert.True(quantize.ExitCode == 0, quantize.ToString());
        var convert = CliRun.InProcess("convert", "--from", q4, "--to", Path.Combine(_dir, "from-q4"));
        Assert.True(convert.ExitCode == 2, convert.ToString());
        Assert.Matches(@"tensor '[a-z0-9_.]+' is Q\d_\w+: the built-in engine reads f32, f16 and bf16 GGUF tensors; a quantized file runs on llama.cpp", convert.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "from-q4", "config.json")), "a refused conversion wrote a folder");
    }

    [Theory]
    [InlineData("model", "logprobs", "--tokens", "1,403,407")]
    [InlineData("generate", "-n", "4")]
    [InlineData("model", "info")]
    public void Token_level_commands_refuse_a_remote_model_by_name(params string[] args)
    {
        // Nothing listens on port 9: the refusal comes before any connection.
        var run = CliRun.InProcess([.. args, "-m", "openai-completions:http://127.0.0.1:9/v1"]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: openai-completions:http://127.0.0.1:9/v1: ", run.Stderr);
        Assert.Contains("is not available from a remote OpenAI-compatible server", run.Stderr);
    }

    [Theory]
    [InlineData("model 'no-such-model' not found: not a file, not a folder, not a bundled model", "no-such-model")]
    [InlineData("unknown shape 'stories1T': expected one of random:", "random:stories1T")]
    [InlineData("llama.cpp runs a .gguf file", "stories260K", "--backend", "llamacpp")]
    [InlineData("--backend 'tpu': expected auto, torch or llamacpp", "stories260K", "--backend", "tpu")]
    public void A_model_argument_that_names_nothing_loadable_is_one_line_and_exit_code_2(string expected, params string[] model)
    {
        var run = CliRun.InProcess(["generate", "-n", "1", "-m", .. model]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr);
    }
}
