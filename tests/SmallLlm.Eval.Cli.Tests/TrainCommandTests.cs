using System.Text.Json;
using SmallLlm.Eval.Engine.Checkpoints;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// `smalleval train` end to end: against an independent PyTorch trainer (fixtures in tests/fixtures/training, made by
/// its reference_trainer.py), determinism, resume, and the bad inputs the issue lists.
/// </summary>
public class TrainCommandTests
{
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "training");
    private static string Init => Path.Combine(Fixtures, "init");
    private static string Data => Path.Combine(Fixtures, "data.txt");

    /// <summary>The run reference_trainer.py makes: keep the two in step.</summary>
    private static readonly string[] ReferenceRun =
    [
        "train", "--init", Init, "--data", Data, "--steps", "8", "--batch", "2", "--grad-accum", "2", "--seq", "32",
        "--lr", "3e-3", "--min-lr", "3e-4", "--warmup", "2", "--schedule", "cosine", "--weight-decay", "0.1", "--clip", "1.0",
    ];

    private static CliRun Train(string output, params string[] args)
    {
        var run = CliRun.InProcess([.. args, "-o", output]);
        return run;
    }

    private static Dictionary<string, float[]> ReadWeights(string file)
    {
        using var reader = new SafetensorsReader(file);
        return reader.Entries.Keys.ToDictionary(n => n, n =>
        {
            using var t = reader.Read(n, ScalarType.Float32);
            return t.data<float>().ToArray();
        });
    }

    private static string Weights(string run, string checkpoint = "final") => Path.Combine(run, checkpoint, "model.safetensors");

    [Fact]
    public void Training_matches_an_independent_PyTorch_trainer_step_by_step()
    {
        string output = RepoPaths.Temp("train-ref");
        var run = Train(output, ReferenceRun);
        Assert.True(run.ExitCode == 0, run.ToString());

        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference_log.json")));
        var expected = reference.RootElement.GetProperty("log").EnumerateArray().ToList();
        var actual = File.ReadAllLines(Path.Combine(output, "train_log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].GetProperty("step").GetInt32(), actual[i].GetProperty("step").GetInt32());
            double loss = actual[i].GetProperty("loss").GetDouble(), refLoss = expected[i].GetProperty("loss").GetDouble();
            Assert.True(Math.Abs(loss - refLoss) < 1e-4, $"step {i + 1}: loss {loss}, PyTorch {refLoss}");
            double norm = actual[i].GetProperty("grad_norm").GetDouble(), refNorm = expected[i].GetProperty("grad_norm").GetDouble();
            Assert.True(Math.Abs(norm - refNorm) < 1e-4 * Math.Max(1, refNorm), $"step {i + 1}: grad norm {norm}, PyTorch {refNorm}");
            Assert.Equal(expected[i].GetProperty("lr").GetDouble(), actual[i].GetProperty("lr").GetDouble(), 12);
        }
        // Clipping was active on some steps (the reference's norms pass 1.0), so clip_grad_norm_'s rule is exercised.
        Assert.Contains(expected, e => e.GetProperty("grad_norm").GetDouble() > 1.0);

        var ours = ReadWeights(Weights(output));
        var theirs = ReadWeights(Path.Combine(Fixtures, "reference_final.safetensors"));
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        var initial = ReadWeights(Path.Combine(Init, "model.safetensors"));
        foreach (var (name, want) in theirs)
        {
            double diff = want.Zip(ours[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(diff < 1e-3, $"{name}: largest difference {diff} from PyTorch's weights");
            // And training moved it: a difference test that passes on untouched weights would prove nothing.
            Assert.True(want.Zip(initial[name], (a, b) => Math.Abs(a - b)).Max() > 1e-3, $"{name} did not move in the reference");
        }
    }

    [Fact]
    public void The_same_command_twice_gives_byte_identical_weights_in_a_folder_every_command_loads()
    {
        string[] args = ["train", "--shape", "stories260K", "--data", Data, "--steps", "3", "--batch", "2", "--grad-accum", "2",
            "--seq", "32", "--data-order", "shuffled", "--seed", "9", "--lr", "1e-3", "--json"];
        string a = RepoPaths.Temp("train-a"), b = RepoPaths.Temp("train-b");
        var first = Train(a, args);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(Train(b, args).ExitCode == 0);
        Assert.Equal(File.ReadAllBytes(Weights(a)), File.ReadAllBytes(Weights(b)));
        Assert.Equal(3, first.Json().GetProperty("steps").GetInt32());
        Assert.Contains("normal(0, 0.02)", first.Json().GetProperty("initialization").GetString());

        foreach (string file in new[] { "config.json", "model.safetensors", "tok512.bin", "optimizer.safetensors", "trainer_state.json" })
            Assert.True(File.Exists(Path.Combine(a, "final", file)), file);
        Assert.True(File.Exists(Path.Combine(a, "loss.png")));
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "settings.json")));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Data))),
            settings.RootElement.GetProperty("data").GetProperty("sha256").GetString());
        var info = CliRun.InProcess("model", "info", "--model", Path.Combine(a, "final"), "--json");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Equal(260_032, info.Json().GetProperty("parameters").GetProperty("total").GetInt64());
    }

    [Fact]
    public void A_resumed_run_reaches_the_same_final_weights_as_an_uninterrupted_one()
    {
        string whole = RepoPaths.Temp("train-whole"), parts = RepoPaths.Temp("train-parts");
        Assert.Equal(0, Train(whole, ReferenceRun).ExitCode);
        Assert.Equal(0, Train(parts, [.. ReferenceRun, "--save-every", "3"]).ExitCode);
        // As if the run had been killed after its step-6 checkpoint: the last two steps and final/ are lost.
        Directory.Delete(Path.Combine(parts, "final"), recursive: true);
        Assert.True(Directory.Exists(Path.Combine(parts, "step-6")));

        var resumed = CliRun.InProcess("train", "--resume", parts);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resuming", resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(Weights(whole)), File.ReadAllBytes(Weights(parts)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "final", "optimizer.safetensors")), File.ReadAllBytes(Path.Combine(parts, "final", "optimizer.safetensors")));
        static IEnumerable<string> Losses(string run) => File.ReadAllLines(Path.Combine(run, "train_log.jsonl")).Select(l => l.Split(",\"tokens_per_second")[0]);
        Assert.Equal(Losses(whole), Losses(parts));
    }

    [Fact]
    public void Data_smaller_than_one_batch_row_exits_2_and_says_how_many_tokens_a_row_needs()
    {
        string data = Path.Combine(RepoPaths.Temp("train-small"), "tiny.txt");
        File.WriteAllText(data, "Once upon a time");
        string output = RepoPaths.Temp("train-out");
        var run = Train(output, "train", "--init", Init, "--data", data, "--steps", "1", "--seq", "32");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("smaller than one row", run.Stderr);
        Assert.Contains("--seq 32 needs at least 34 tokens", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(output, "final")));
    }

    [Fact]
    public void A_tokenizer_with_more_ids_than_the_models_vocabulary_exits_2()
    {
        var run = Train(RepoPaths.Temp("train-out"), "train", "--init", Init, "-t", "llama2", "--data", Data, "--steps", "1");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("32,000 ids but the model's vocab_size is 512", run.Stderr);
    }

    [Fact]
    public void Init_together_with_shape_exits_2()
    {
        var run = Train(RepoPaths.Temp("train-out"), "train", "--init", Init, "--shape", "stories260K", "--data", Data, "--steps", "1");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--init starts from a checkpoint's own shape: it cannot be combined with --shape", run.Stderr);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_names_the_step_and_keeps_the_last_good_checkpoint()
    {
        // An absurd learning rate without clipping: step 1 is finite, then the weights overflow.
        string output = RepoPaths.Temp("train-nan");
        var run = Train(output, "train", "--init", Init, "--data", Data, "--steps", "6", "--batch", "2", "--seq", "32",
            "--lr", "1e20", "--schedule", "constant", "--clip", "0", "--save-every", "1");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("step 2: the gradient norm is NaN", run.Stderr);
        Assert.Contains("the last good checkpoint is " + Path.Combine(output, "step-1"), run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(output, "final")));
        var info = CliRun.InProcess("model", "info", "--model", Path.Combine(output, "step-1"), "--json");
        Assert.True(info.ExitCode == 0, info.ToString());
    }

    [Fact]
    public void A_nan_in_the_initial_weights_stops_at_step_1_with_the_loss_named()
    {
        string init = RepoPaths.Temp("train-nan-init");
        foreach (var f in Directory.GetFiles(Init)) File.Copy(f, Path.Combine(init, Path.GetFileName(f)));
        var tensors = ReadWeights(Path.Combine(Init, "model.safetensors"));
        tensors["model.norm.weight"][0] = float.NaN;
        var list = tensors.Select(kv => (kv.Key, tensor(kv.Value).reshape(Shape(kv.Key)))).ToList();
        SafetensorsWriter.Write(Path.Combine(init, "model.safetensors"), list);
        var run = Train(RepoPaths.Temp("train-out"), "train", "--init", init, "--data", Data, "--steps", "2", "--seq", "32");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("step 1: the loss is NaN", run.Stderr);
        Assert.Contains("the last good checkpoint is (none yet)", run.Stderr);
    }

    private static long[] Shape(string name)
    {
        using var reader = new SafetensorsReader(Path.Combine(Init, "model.safetensors"));
        return reader.Entries[name].Shape;
    }

    [Fact]
    public void An_existing_output_folder_without_force_or_resume_exits_2_and_is_left_untouched()
    {
        string output = RepoPaths.Temp("train-exists");
        File.WriteAllText(Path.Combine(output, "keep.txt"), "earlier work");
        var run = Train(output, "train", "--init", Init, "--data", Data, "--steps", "1", "--seq", "32");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("already exists and is not empty: pass --force", run.Stderr);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Equal("earlier work", File.ReadAllText(Path.Combine(output, "keep.txt")));
    }

    [Fact]
    public void Bf16_training_is_refused_rather_than_run_in_fp32()
    {
        var run = Train(RepoPaths.Temp("train-out"), "train", "--init", Init, "--data", Data, "--steps", "1", "--dtype", "bf16");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("fp32 only", run.Stderr);
    }
}
