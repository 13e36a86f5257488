using System.Text;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>
/// A checkpoint or config that the engine would score as a different model is refused with a named error: unused
/// tensors, math-changing config keys, malformed safetensors headers and shard indexes, absurd position counts.
/// </summary>
public class CheckpointValidationTests
{
    private static string SavedTiny(long maxShardBytes = long.MaxValue)
    {
        string dir = TestModels.TempDir();
        using var w = RandomWeights.Create(TestModels.Tiny(), ModelDType.Float32, 1);
        HuggingFaceCheckpoint.Save(w, dir, maxShardBytes);
        return dir;
    }


    private static string LoadError(string dir) => Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(dir)).Message;

    [Theory]
    [InlineData("model.layers.0.self_attn.q_proj.bias", 32, "'model.layers.0.self_attn.q_proj.bias' is a bias that config.json does not declare for model_type 'llama'")]
    [InlineData("model.layers.2.input_layernorm.weight", 32, "'model.layers.2.input_layernorm.weight' belongs to layer 2 but config.json declares 2 layers")]
    [InlineData("model.vision_tower.patch.weight", 8, "'model.vision_tower.patch.weight' is not used by the llama engine")]
    [InlineData("model.layers.0.self_attn.q_norm.weight", 8, "'model.layers.0.self_attn.q_norm.weight' is not used by the llama engine")]
    public void Tensors_the_engine_would_not_use_are_refused(string extra, int length, string expected)
    {
        string dir = SavedTiny();
        AppendTensor(SafetensorsFileEdit.WeightsPath(dir), extra, length);
        Assert.Contains(expected, LoadError(dir));
    }

    [Fact]
    public void Qwen_style_biases_in_a_sharded_folder_are_refused_by_the_shard_that_holds_them()
    {
        string dir = SavedTiny(maxShardBytes: 20_000);
        string last = HuggingFaceCheckpoint.WeightFiles(dir).Last();
        AppendTensor(last, "model.layers.1.self_attn.k_proj.bias", 16);
        Assert.Contains($"{Path.GetFileName(last)}: tensor 'model.layers.1.self_attn.k_proj.bias' is a bias", LoadError(dir));
    }

    [Fact]
    public void Rope_inverse_frequency_buffers_are_derived_and_allowed()
    {
        string dir = SavedTiny();
        AppendTensor(SafetensorsFileEdit.WeightsPath(dir), "model.layers.0.self_attn.rotary_emb.inv_freq", 4);
        using var w = CheckpointLoader.Load(dir);
        Assert.Equal(2, w.Config.NumLayers);
    }

    [Theory]
    [InlineData("model_type", "\"gemma\"", "model_type 'gemma' is not implemented by the built-in engine (it implements llama, mistral, qwen2, qwen3)")]
    [InlineData("final_logit_softcapping", "30.0", "'final_logit_softcapping': 30.0 changes the forward pass")]
    [InlineData("partial_rotary_factor", "0.5", "'partial_rotary_factor': 0.5 changes the forward pass")]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "rope_scaling type 'yarn' is not implemented")]
    [InlineData("mlp_bias", "\"yes\"", "field 'mlp_bias' must be true or false")]
    [InlineData("max_position_embeddings", "100000000", "max_position_embeddings 100,000,000 is beyond the 16,777,216 positions this engine supports")]
    [InlineData("max_position_embeddings", "1000000000", "max_position_embeddings 1,000,000,000 is beyond")]
    [InlineData("max_position_embeddings", "10000000000", "field 'max_position_embeddings' must be an integer (32-bit)")]
    public void Config_keys_that_change_the_math_are_refused(string key, string json, string expected)
    {
        string dir = SavedTiny();
        EditConfig(dir, c => c[key] = JsonNode.Parse(json));
        Assert.Contains(expected, LoadError(dir));
    }

    [Fact]
    public void Overlapping_tensor_bytes_are_refused()
    {
        string dir = SavedTiny();
        SafetensorsFileEdit.RewriteHeader(SafetensorsFileEdit.WeightsPath(dir), h =>
            h["model.layers.0.input_layernorm.weight"]!["data_offsets"] = h["model.layers.1.input_layernorm.weight"]!["data_offsets"]!.DeepClone());
        string e = LoadError(dir);
        Assert.Contains("'model.layers.0.input_layernorm.weight'", e);
        Assert.Contains("overlap in the data section", e);
    }

    [Fact]
    public void Header_that_is_a_json_array_is_refused()
    {
        string dir = SavedTiny();
        byte[] json = Encoding.UTF8.GetBytes("[1, 2, 3]");
        using (var fs = File.Create(SafetensorsFileEdit.WeightsPath(dir)))
        {
            fs.Write(BitConverter.GetBytes((long)json.Length));
            fs.Write(json);
        }
        Assert.Contains("safetensors header is a JSON array, expected an object of tensors", LoadError(dir));
    }

    [Theory]
    [InlineData("[0, 9223372036854775808]", "data offset 9223372036854775808 is not an integer in [0, 2^63)")]
    [InlineData("[0, 1e30]", "data offset 1e30 is not an integer")]
    [InlineData("[-8, 120]", "data offset -8 is not an integer")]
    public void Offsets_beyond_two_to_the_63_are_refused(string offsets, string expected)
    {
        string dir = SavedTiny();
        SafetensorsFileEdit.RewriteHeader(SafetensorsFileEdit.WeightsPath(dir), h => h["model.norm.weight"]!["data_offsets"] = JsonNode.Parse(offsets));
        string e = LoadError(dir);
        Assert.Contains("'model.norm.weight'", e);
        Assert.Contains(expected, e);
    }

    [Theory]
    [InlineData("[\"model-00001-of-00002.safetensors\"]", "'weight_map' is a JSON array, expected an object")]
    [InlineData("\"model.safetensors\"", "'weight_map' is a JSON string, expected an object")]
    [InlineData("{\"model.norm.weight\": 7}", "weight_map['model.norm.weight'] must be the name of a shard file in the folder, got 7")]
    [InlineData("{\"model.norm.weight\": \"../model.safetensors\"}", "must be the name of a shard file in the folder")]
    public void Shard_index_whose_weight_map_is_not_an_object_of_file_names_is_refused(string weightMap, string expected)
    {
        string dir = SavedTiny(maxShardBytes: 20_000);
        string index = Path.Combine(dir, HuggingFaceCheckpoint.IndexFile);
        var doc = JsonNode.Parse(File.ReadAllText(index))!;
        doc["weight_map"] = JsonNode.Parse(weightMap);
        File.WriteAllText(index, doc.ToJsonString());
        string e = LoadError(dir);
        Assert.Contains(HuggingFaceCheckpoint.IndexFile, e);
        Assert.Contains(expected, e);
    }

    [Fact]
    public void Position_tables_are_built_for_what_a_run_reaches_not_the_whole_context()
    {
        // Llama 3.2's 131,072 positions: the tables cover what scoring reached (a minimum block), not 131,072 rows.
        var config = TestModels.Tiny() with { MaxPositionEmbeddings = 131_072 };
        using var model = TestModels.Random(config);
        Assert.Equal(0, model.RotaryPositionsBuilt);
        var small = TestModels.FullLogits(model, [1, 2, 3, 4]);
        Assert.Equal(256, model.RotaryPositionsBuilt);
        var longer = TestModels.FullLogits(model, Enumerable.Range(0, 600).Select(i => i % 64).ToArray());
        Assert.Equal(600, model.RotaryPositionsBuilt);
        // Growing the tables changes nothing already computed.
        Assert.Equal(0.0, TestModels.MaxAbsDiff(small, TestModels.FullLogits(model, [1, 2, 3, 4])));
        Assert.True(longer[599, 0] != 0);
    }

    internal static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    /// <summary>Adds a float32 tensor of <paramref name="length"/> values (0.5 each) at the end of a safetensors file.</summary>
    internal static void AppendTensor(string path, string name, int length)
    {
        var bytes = File.ReadAllBytes(path);
        long len = BitConverter.ToInt64(bytes, 0);
        long dataLength = bytes.Length - 8 - len;
        var values = Enumerable.Repeat(0.5f, length).SelectMany(BitConverter.GetBytes).ToArray();
        SafetensorsFileEdit.RewriteHeader(path, h => h[name] = new JsonObject
        {
            ["dtype"] = "F32",
            ["shape"] = new JsonArray(length),
            ["data_offsets"] = new JsonArray(dataLength, dataLength + values.Length),
        }, values);
    }
}
