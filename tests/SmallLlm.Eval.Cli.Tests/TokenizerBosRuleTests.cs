using System.IO.Compression;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>The BOS a prompt starts with follows the model folder's tokenizer_config.json: none for Qwen.</summary>
public class TokenizerBosRuleTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SmallLlm.Eval.sln"))) return dir.FullName;
        throw new InvalidOperationException("SmallLlm.Eval.sln not found");
    }

    [SkippableFact]
    public void A_qwen_folder_scores_text_without_bos_and_a_config_that_adds_one_gets_it()
    {
        Skip.If(Tokenizers.HuggingFace.IcuNfc.Library is null, "Qwen3's NFC normalizer needs the system ICU (libicuuc), which is absent");
        string reference = Path.Combine(RepoRoot(), "tests", "SmallLlm.Eval.Tokenizers.Tests", "Reference", "tokenizer_json", "qwen3");
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-cli-tests", Guid.NewGuid().ToString("N"));
        var config = new LlamaConfig
        {
            ModelType = ModelFamily.Qwen2, QkvBias = true, HiddenSize = 16, IntermediateSize = 32, NumLayers = 1, NumHeads = 2,
            NumKeyValueHeads = 1, HeadDim = 8, VocabSize = 151_936, MaxPositionEmbeddings = 256, TieWordEmbeddings = true,
        }.Validated("test");
        using (var w = RandomWeights.Create(config, ModelDType.Float32, 2)) HuggingFaceCheckpoint.Save(w, dir);
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(reference, "tokenizer.json.gz")), CompressionMode.Decompress))
        using (var file = File.Create(Path.Combine(dir, "tokenizer.json"))) gz.CopyTo(file);
        File.Copy(Path.Combine(reference, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));

        var run = CliRun.InProcess("model", "logprobs", "--model", dir, "--text", "Hello world, hello again", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var tokens = run.Json().GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        Assert.Equal([9707, 1879, 11, 23811, 1549], tokens); // Qwen's ids for the text, no BOS in front

        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{ "add_bos_token": true, "bos_token": "<|endoftext|>" }""");
        run = CliRun.InProcess("model", "logprobs", "--model", dir, "--text", "Hello world, hello again", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([151643, 9707, 1879, 11, 23811, 1549], run.Json().GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
    }
}
