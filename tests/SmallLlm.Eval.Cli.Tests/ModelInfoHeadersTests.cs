namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`model info` reads headers only: it works on a folder whose weights could not even be loaded.</summary>
public class ModelInfoHeadersTests
{
    [Fact]
    public void Info_reads_config_without_loading_weights()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smalleval-info-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var convert = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir);
            Assert.True(convert.ExitCode == 0, convert.ToString());
            // Garbage where the tensors were: loading would fail, reading config.json does not.
            File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), new byte[64]);
            var load = CliRun.InProcess("model", "logprobs", "--model", dir, "--tokens", "1,2,3");
            Assert.Equal(2, load.ExitCode);

            var info = CliRun.InProcess("model", "info", "--model", dir, "--json");
            Assert.True(info.ExitCode == 0, info.ToString());
            Assert.Equal(260032, info.Json().GetProperty("parameters").GetProperty("total").GetInt64());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
