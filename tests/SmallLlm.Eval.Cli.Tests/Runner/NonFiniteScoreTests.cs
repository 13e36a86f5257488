using System.Buffers.Binary;
using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests.Runner;

/// <summary>
/// A real model whose weights hold NaN (the bundled stories260K converted to a Hugging Face folder, then its final norm
/// overwritten with NaN in the safetensors file): `smalleval eval` fails the task naming the model and the request
/// instead of reporting a plausible accuracy, and with --allow-nonfinite records the NaN scores explicitly (counted,
/// warned about), whether the run is sharded or not.
/// </summary>
public sealed class NonFiniteScoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nonfinite-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>stories260K as a safetensors folder with <paramref name="tensor"/> set to <paramref name="value"/>.</summary>
    private string BrokenModel(string tensor, float value)
    {
        string model = Path.Combine(_dir, "broken-model");
        var convert = CliRun.InProcess("convert", "--from", "stories260K", "--to", model);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        string file = Path.Combine(model, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(file);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)).RootElement;
        var entry = header.GetProperty(tensor);
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        long start = 8 + headerLength + entry.GetProperty("data_offsets")[0].GetInt64(), end = 8 + headerLength + entry.GetProperty("data_offsets")[1].GetInt64();
        for (long i = start; i < end; i += 4) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)i, 4), value);
        File.WriteAllBytes(file, bytes);
        return model;
    }

    [Theory]
    [InlineData("model.norm.weight", float.NaN, "NaN")]
    [InlineData("model.norm.weight", float.PositiveInfinity, "NaN")] // inf × 0 and inf − inf in the softmax make NaN
    public void A_model_with_broken_weights_fails_the_task_with_a_named_error(string tensor, float value, string shown)
    {
        string model = BrokenModel(tensor, value), output = Path.Combine(_dir, "results");
        var run = CliRun.InProcess("eval", "--model", model, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3", "--output", output);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: model 'broken-model'", run.Stderr);
        Assert.Contains($"returned a {shown} score for request 0 (log-likelihood of ", run.Stderr);
        Assert.Contains("--allow-nonfinite", run.Stderr);
        Assert.True(!Directory.Exists(output) || Directory.GetFiles(output, "arc_easy.json", SearchOption.AllDirectories).Length == 0);
        Assert.True(File.Exists(Path.Combine(output, ".cache", "requests.sqlite")), "the run made no request cache");
        Assert.Equal(0, RequestCacheRows.Count(Path.Combine(output, ".cache", "requests.sqlite")));
    }

    [Fact]
    public void With_allow_nonfinite_the_scores_are_recorded_as_such_and_a_run_without_it_never_trusts_them_from_the_cache()
    {
        string model = BrokenModel("model.norm.weight", float.NaN), output = Path.Combine(_dir, "results");
        var run = CliRun.InProcess("eval", "--model", model, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3", "--output", output, "--allow-nonfinite");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("NaN or infinite scores", run.Stderr);
        var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "arc_easy"))).RootElement;
        long requests = result.GetProperty("counts").GetProperty("requests").GetInt64();
        Assert.Equal(requests, result.GetProperty("counts").GetProperty("nonfinite_scores").GetInt64());
        Assert.Contains(result.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("--allow-nonfinite"));
        string samples = File.ReadAllText(RunResults.Samples(output, "arc_easy"));
        Assert.Contains("NaN", samples);
        // Recorded in the cache (a sharded run's merge reads its shards' answers from there), but only a run that
        // allows them trusts them: without the flag the request is computed again and fails by name.
        Assert.Equal(requests, RequestCacheRows.Count(Path.Combine(output, ".cache", "requests.sqlite")));
        var strict = CliRun.InProcess("eval", "--model", model, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3", "--output", output);
        Assert.True(strict.ExitCode == 2, strict.ToString());
        Assert.Contains("returned a NaN score for request 0", strict.Stderr);
        var again = CliRun.InProcess("eval", "--model", model, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3", "--output", output, "--allow-nonfinite");
        Assert.True(again.ExitCode == 0, again.ToString());
        var timing = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "arc_easy"))).RootElement.GetProperty("timing");
        Assert.Equal(requests, timing.GetProperty("requests_reused").GetInt64());
    }

    [Fact]
    public void Under_shard_a_nonfinite_score_fails_by_name_and_with_allow_nonfinite_the_merge_records_what_the_unsharded_run_records()
    {
        string model = BrokenModel("model.norm.weight", float.NaN);
        string[] job = ["eval", "--model", model, "--tokenizer", "tok512", "--tasks", "arc_easy", "--limit", "3"];
        var strict = CliRun.InProcess([.. job, "--shard", "1/2", "--output", Path.Combine(_dir, "strict")]);
        Assert.True(strict.ExitCode == 2, strict.ToString());
        Assert.Contains("returned a NaN score for request 0", strict.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "strict", "shard.json")), "a failed shard wrote its manifest");

        var whole = CliRun.InProcess([.. job, "--allow-nonfinite", "--output", Path.Combine(_dir, "whole")]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        for (int i = 1; i <= 2; i++)
        {
            var shard = CliRun.InProcess([.. job, "--allow-nonfinite", "--shard", $"{i}/2", "--output", Path.Combine(_dir, $"s{i}")]);
            Assert.True(shard.ExitCode == 0, shard.ToString());
            Assert.True(JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, $"s{i}", "shard.json"))).RootElement.GetProperty("allow_nonfinite").GetBoolean());
        }
        var merged = CliRun.InProcess("merge", Path.Combine(_dir, "s1"), Path.Combine(_dir, "s2"), "-o", Path.Combine(_dir, "merged"));
        Assert.True(merged.ExitCode == 0, merged.ToString());
        Assert.Contains("NaN or infinite scores", merged.Stderr);
        var wholeResult = JsonDocument.Parse(File.ReadAllText(RunResults.Result(Path.Combine(_dir, "whole"), "arc_easy"))).RootElement;
        var mergedResult = JsonDocument.Parse(File.ReadAllText(RunResults.Result(Path.Combine(_dir, "merged"), "arc_easy"))).RootElement;
        long requests = wholeResult.GetProperty("counts").GetProperty("requests").GetInt64();
        Assert.Equal(requests, mergedResult.GetProperty("counts").GetProperty("nonfinite_scores").GetInt64());
        Assert.Equal(wholeResult.GetProperty("counts").GetRawText(), mergedResult.GetProperty("counts").GetRawText());
        Assert.Equal(wholeResult.GetProperty("warnings").GetRawText(), mergedResult.GetProperty("warnings").GetRawText());
        Assert.Equal(File.ReadAllText(RunResults.Samples(Path.Combine(_dir, "whole"), "arc_easy")),
            File.ReadAllText(RunResults.Samples(Path.Combine(_dir, "merged"), "arc_easy")));
    }

    [Fact]
    public void A_healthy_model_records_zero_nonfinite_scores()
    {
        string output = Path.Combine(_dir, "results");
        var run = CliRun.InProcess("eval", "--model", "stories260K", "--tasks", "arc_easy", "--limit", "3", "--output", output, "--allow-nonfinite");
        Assert.True(run.ExitCode == 0, run.ToString());
        var counts = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "arc_easy"))).RootElement.GetProperty("counts");
        Assert.Equal(0, counts.GetProperty("nonfinite_scores").GetInt64());
        Assert.True(RequestCacheRows.Count(Path.Combine(output, ".cache", "requests.sqlite")) > 0);
    }
}
