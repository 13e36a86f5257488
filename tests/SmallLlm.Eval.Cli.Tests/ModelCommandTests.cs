namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`smalleval model`, `generate` and `convert` end to end on the bundled stories260K.</summary>
public class ModelCommandTests
{
    // BOS + "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One" in tok512
    // ids, and llama2.c's mean NLL for them (../shared/models/stories260K/reference/s260_33).
    private const string ReferenceIds = "1,403,407,261,378,432,383,286,261,376,298,315,421,395,317,426,338,401,396,267,337,410,408,419,292,411,322,265,282,295,433,426,385";
    private const string ReferenceText = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One";
    private const double ReferenceMeanNll = 0.1768175;

    [Fact]
    public void Info_reports_parameters_kv_cache_and_chinchilla()
    {
        var run = CliRun.InProcess("model", "info", "--model", "stories260K", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var j = run.Json();
        Assert.Equal(260032, j.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(32768, j.GetProperty("parameters").GetProperty("embedding").GetInt64());
        Assert.Equal(2 * 5 * 4 * 8 * 4, j.GetProperty("kv_cache_bytes_per_token").GetInt64());            // K and V, 5 layers, 4 KV heads of 8, fp32
        Assert.Equal(2 * 5 * 8 * 8 * 4, j.GetProperty("kv_cache_bytes_per_token_multi_head").GetInt64());
        Assert.Equal(20L * 260032, j.GetProperty("chinchilla_optimal_tokens").GetInt64());
        Assert.Equal(512, j.GetProperty("context_length").GetInt32());

        var text = CliRun.InProcess("model", "info", "--model", "stories260K");
        Assert.Contains("grouped-query saves 50%", text.Stdout);
    }

    [Fact]
    public void Logprobs_of_reference_tokens_give_llama2c_mean_nll()
    {
        var run = CliRun.InProcess("model", "logprobs", "--model", "stories260K", "--tokens", ReferenceIds, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var j = run.Json();
        Assert.Equal(ReferenceMeanNll, j.GetProperty("mean_nll").GetDouble(), 1e-5);
        Assert.Equal(33, j.GetProperty("tokens").GetArrayLength());
        var lps = j.GetProperty("logprobs").EnumerateArray().ToList();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lps[0].ValueKind);
        double sum = lps.Skip(1).Sum(x => x.GetDouble());
        Assert.Equal(j.GetProperty("sum_logprob").GetDouble(), sum, 1e-6);
        Assert.Equal(Math.Exp(ReferenceMeanNll), j.GetProperty("perplexity").GetDouble(), 1e-4);
    }

    [Fact]
    public void Logprobs_of_text_tokenize_with_tok512_like_llama2c()
    {
        var run = CliRun.InProcess("model", "logprobs", "--model", "stories260K", "--text", ReferenceText, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var j = run.Json();
        Assert.Equal(ReferenceIds, string.Join(",", j.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())));
        Assert.Equal(ReferenceMeanNll, j.GetProperty("mean_nll").GetDouble(), 1e-5);
    }

    [Fact]
    public void Greedy_generation_is_the_story_from_llama2c_docs()
    {
        var run = CliRun.InProcess("generate", "--model", "stories260K", "--max-tokens", "32", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var j = run.Json();
        // The golden greedy ids from BOS start exactly with the reference sentence's ids.
        Assert.Equal(ReferenceIds.Split(',').Skip(1).Select(int.Parse), j.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
        Assert.StartsWith("Once upon a time, there was a little girl named Lily.", j.GetProperty("text").GetString()!.TrimStart());
    }

    [Fact]
    public void A_continuation_keeps_the_space_before_its_first_word()
    {
        var run = CliRun.InProcess("generate", "--model", "stories260K", "--prompt", "Lily wanted a puppy", "--max-tokens", "8", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        string text = run.Json().GetProperty("text").GetString()!;
        Assert.StartsWith(" ", text); // "Lily wanted a puppy who ...", not "puppywho"
        var plain = CliRun.InProcess("generate", "--model", "stories260K", "--prompt", "Lily wanted a puppy", "--max-tokens", "8");
        Assert.StartsWith("Lily wanted a puppy " + text.TrimStart().Split(' ')[0], plain.Stdout);
    }

    [Fact]
    public void Sampled_generation_is_reproducible_with_its_seed()
    {
        string[] Args(string seed) => ["generate", "-m", "stories260K", "-n", "40", "--temperature", "1.0", "--seed", seed, "--json"];
        var a = CliRun.InProcess(Args("7")).Json().GetProperty("tokens").ToString();
        var b = CliRun.InProcess(Args("7")).Json().GetProperty("tokens").ToString();
        var c = CliRun.InProcess(Args("8")).Json().GetProperty("tokens").ToString();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Convert_writes_a_hugging_face_folder_that_scores_the_same()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-cli-tests", Guid.NewGuid().ToString("N"));
        var convert = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        var run = CliRun.InProcess("model", "logprobs", "--model", dir, "--tokens", ReferenceIds, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ReferenceMeanNll, run.Json().GetProperty("mean_nll").GetDouble(), 1e-5);
    }

    [Theory]
    [InlineData("model '/no/such/model' not found", "model", "info", "--model", "/no/such/model")]
    [InlineData("token id 999 at position 2 is outside the vocabulary [0, 512)", "model", "logprobs", "-m", "stories260K", "--tokens", "1,2,999")]
    [InlineData("'x' is not a token id", "model", "logprobs", "-m", "stories260K", "--tokens", "1,x")]
    [InlineData("unknown dtype 'fp8'", "model", "info", "-m", "stories260K", "--dtype", "fp8")]
    [InlineData("give exactly one of --tokens or --text", "model", "logprobs", "-m", "stories260K")]
    [InlineData("unknown tokenizer 'nope'", "model", "logprobs", "-m", "stories260K", "--text", "hi", "--tokenizer", "nope")]
    public void Bad_input_gives_one_clear_line_and_exit_code_2(string expected, params string[] args)
    {
        var run = CliRun.InProcess(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr); // no stack trace without --verbose
    }

    [Fact]
    public void Sequence_longer_than_the_context_is_rejected()
    {
        string ids = string.Join(",", Enumerable.Repeat(300, 600).Prepend(1));
        var run = CliRun.InProcess("model", "logprobs", "-m", "stories260K", "--tokens", ids);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("more than the model's context of 512", run.Stderr);
    }

    [Fact]
    public void Verbose_shows_the_stack_trace()
    {
        var run = CliRun.InProcess("model", "info", "--model", "/no/such/model", "--verbose");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("   at ", run.Stderr);
    }

    [Fact]
    public void The_built_binary_loads_torchsharp_natives()
    {
        // A real process: proves the output folder's libLibTorchSharp.so loads on this machine (see README, Debian 12).
        var run = CliRun.AsProcess("model", "logprobs", "-m", "stories260K", "--tokens", ReferenceIds, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ReferenceMeanNll, run.Json().GetProperty("mean_nll").GetDouble(), 1e-5);
    }
}
