using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.Tests;

public class CheckpointRoundTripTests
{
    [SkippableFact]
    public void Llama2c_to_hugging_face_folder_gives_the_same_logits()
    {
        var reference = new Stories260KReference();
        string bin = SharedFiles.Get($"{SharedFiles.Stories}/stories260K.bin");
        string dir = TestModels.TempDir();
        using (var w = CheckpointLoader.Load(bin)) HuggingFaceCheckpoint.Save(w, dir);
        using var fromBin = new LlamaModel(CheckpointLoader.Load(bin));
        using var fromHf = new LlamaModel(CheckpointLoader.Load(dir));
        Assert.Equal(0.0, TestModels.MaxAbsDiff(TestModels.FullLogits(fromBin, reference.TokenIds), TestModels.FullLogits(fromHf, reference.TokenIds)));
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(fromHf, reference.TokenIds), reference.Logits) < 1e-4);
    }

    [Fact]
    public void Sharded_folder_loads_like_a_single_file()
    {
        var config = TestModels.Tiny(tied: false) with { RopeScaling = new Llama3RopeScaling(8, 1, 4, 16), RopeTheta = 500000 };
        string single = TestModels.TempDir(), sharded = TestModels.TempDir();
        using (var w = RandomWeights.Create(config, ModelDType.Float32, 5))
        {
            HuggingFaceCheckpoint.Save(w, single);
            HuggingFaceCheckpoint.Save(w, sharded, maxShardBytes: 20_000);
        }
        Assert.True(File.Exists(Path.Combine(sharded, HuggingFaceCheckpoint.IndexFile)));
        Assert.True(HuggingFaceCheckpoint.WeightFiles(sharded).Count >= 3);
        using var a = new LlamaModel(CheckpointLoader.Load(single));
        using var b = new LlamaModel(CheckpointLoader.Load(sharded));
        Assert.Equal(config, a.Config with { });
        int[] tokens = [1, 2, 3, 4, 5, 6, 60];
        Assert.Equal(0.0, TestModels.MaxAbsDiff(TestModels.FullLogits(a, tokens), TestModels.FullLogits(b, tokens)));
    }

    [Fact]
    public void Bf16_and_f16_safetensors_are_read_and_converted()
    {
        var config = TestModels.Tiny();
        string f32 = TestModels.TempDir(), bf16 = TestModels.TempDir();
        using (var w = RandomWeights.Create(config, ModelDType.Float32, 9))
        {
            HuggingFaceCheckpoint.Save(w, f32);
            // The same weights rounded to bf16.
            using var rounded = new LlamaWeights(config, ModelDType.BFloat16, w.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.to(TorchSharp.torch.ScalarType.BFloat16)));
            HuggingFaceCheckpoint.Save(rounded, bf16);
        }
        using var reader = new SafetensorsReader(Path.Combine(bf16, HuggingFaceCheckpoint.WeightsFile));
        Assert.All(reader.Entries.Values, e => Assert.Equal("BF16", e.DType));
        using var a = new LlamaModel(CheckpointLoader.Load(f32));
        using var b = new LlamaModel(CheckpointLoader.Load(bf16)); // BF16 file, fp32 compute
        int[] tokens = [1, 2, 3, 4, 5];
        Assert.True(TestModels.MaxAbsDiff(TestModels.FullLogits(a, tokens), TestModels.FullLogits(b, tokens)) < 0.01);
    }
}
