using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Every kind of bad input gives one clear message naming the file/tensor/field and what was expected.</summary>
public class BadCheckpointTests
{
    private static string SavedTiny(bool tied = true)
    {
        string dir = TestModels.TempDir();
        using var w = RandomWeights.Create(TestModels.Tiny(tied: tied), ModelDType.Float32, 1);
        HuggingFaceCheckpoint.Save(w, dir);
        return dir;
    }


    [Fact]
    public void Missing_path_says_not_found_and_lists_bundled_models()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CheckpointLoader.Load("/no/such/model"));
        Assert.Contains("/no/such/model", e.Message);
        Assert.Contains("stories260K", e.Message);
    }

    [Fact]
    public void Truncated_safetensors_names_the_tensor_beyond_the_end()
    {
        string dir = SavedTiny();
        var bytes = File.ReadAllBytes(SafetensorsFileEdit.WeightsPath(dir));
        File.WriteAllBytes(SafetensorsFileEdit.WeightsPath(dir), bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Header_that_lies_about_offsets_is_rejected()
    {
        string dir = SavedTiny();
        SafetensorsFileEdit.RewriteHeader(SafetensorsFileEdit.WeightsPath(dir), h => h["model.norm.weight"]!["data_offsets"] = new JsonArray(0, 12));
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("'model.norm.weight'", e.Message);
        Assert.Contains("needs 128", e.Message);
    }

    [Fact]
    public void Tensor_with_wrong_shape_names_expected_shape()
    {
        string dir = SavedTiny();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["intermediate_size"] = 50;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], expected [50, 32]", e.Message);
    }

    [Fact]
    public void Unknown_dtype_is_named()
    {
        string dir = SavedTiny();
        SafetensorsFileEdit.RewriteHeader(SafetensorsFileEdit.WeightsPath(dir), h => h["model.norm.weight"]!["dtype"] = "I8");
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("'model.norm.weight' has dtype 'I8': expected F32, F16 or BF16", e.Message);
    }

    [Fact]
    public void Config_missing_a_field_names_it()
    {
        string dir = SavedTiny();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        config.Remove("num_hidden_layers");
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("config.json: missing field 'num_hidden_layers'", e.Message);
    }

    [Fact]
    public void Untied_config_without_lm_head_names_the_missing_tensor()
    {
        string dir = SavedTiny(tied: true);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["tie_word_embeddings"] = false;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir));
        Assert.Contains("'lm_head.weight' is missing", e.Message);
    }

    [Fact]
    public void Truncated_llama2c_checkpoint_says_what_size_was_expected()
    {
        string path = Path.Combine(TestModels.TempDir(), "cut.bin");
        var header = new int[] { 64, 172, 5, 8, 4, 512, 512 };
        var bytes = new byte[28 + 1000];
        Buffer.BlockCopy(header, 0, bytes, 0, 28);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(path));
        Assert.Contains("1028 bytes", e.Message);
        Assert.Contains("implies 1056540", e.Message);
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_and_too_long_sequences_are_rejected()
    {
        using var model = TestModels.Random(TestModels.Tiny(context: 8));
        var scorer = new TokenScorer(model);
        var e1 = Assert.Throws<ArgumentException>(() => scorer.Loglikelihood([new ContinuationRequest([1], [64])]));
        Assert.Contains("token id 64 at position 0 is outside the vocabulary [0, 64)", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => scorer.Loglikelihood([new ContinuationRequest([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])]));
        Assert.Contains("more than the model's context of 8", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new TokenGenerator(model).Generate([1, 2, 99], new GenerationSettings()));
        Assert.Contains("token id 99", e3.Message);
    }
}
