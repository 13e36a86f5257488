using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`smalleval convert` over an existing model, and checkpoints the engine must refuse, through the CLI.</summary>
public class ConvertCommandTests
{
    private static string NewDir() => Path.Combine(Path.GetTempPath(), "smalleval-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Convert_into_a_folder_holding_a_model_refuses_without_force_and_removes_stale_shards_with_it()
    {
        string dir = NewDir();
        var sharded = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir, "--max-shard-mb", "1");
        Assert.True(sharded.ExitCode == 0, sharded.ToString());
        // 1 MB shards of a 1 MB model: at least two shards and an index.
        string[] shards = Directory.GetFiles(dir, "model-*.safetensors");
        Assert.True(shards.Length >= 2, string.Join(", ", shards));
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors.index.json")));
        var before = Directory.GetFiles(dir).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var refused = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("already holds a model", refused.Stderr);
        Assert.Contains("pass --force to overwrite it", refused.Stderr);
        Assert.Equal(before, Directory.GetFiles(dir).ToDictionary(f => f, File.GetLastWriteTimeUtc)); // nothing touched

        var forced = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order().ToArray());
        var info = CliRun.InProcess("model", "info", "--model", dir, "--json");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Equal(260032, info.Json().GetProperty("parameters").GetProperty("total").GetInt64());
    }

    [Fact]
    public void A_checkpoint_with_biases_the_config_does_not_declare_exits_with_2_and_names_the_tensor()
    {
        string dir = NewDir();
        Assert.Equal(0, CliRun.InProcess("convert", "--from", "stories260K", "--to", dir).ExitCode);
        // Declare a Qwen2 model: it needs q/k/v biases, which this checkpoint does not have.
        string config = Path.Combine(dir, "config.json");
        var c = JsonNode.Parse(File.ReadAllText(config))!;
        c["model_type"] = "qwen2";
        File.WriteAllText(config, c.ToJsonString());
        var run = CliRun.InProcess("model", "logprobs", "--model", dir, "--tokens", "1,403,407");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("tensor 'model.layers.0.self_attn.q_proj.bias' is missing", run.Stderr);

        c["model_type"] = "phi3";
        File.WriteAllText(config, c.ToJsonString());
        run = CliRun.InProcess("model", "info", "--model", dir);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("model_type 'phi3' is not implemented", run.Stderr);
    }
}
