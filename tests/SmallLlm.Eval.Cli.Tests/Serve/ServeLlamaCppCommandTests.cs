using System.Text;
using System.Text.Json;
using SmallLlm.Eval.LlamaCpp;

namespace SmallLlm.Eval.Cli.Tests.Serve;

/// <summary>`smalleval serve --model FILE.gguf` as a process: llama.cpp behind the API, its numbers those of the backend in-process.</summary>
public class ServeLlamaCppCommandTests
{
    [Fact]
    public async Task A_gguf_path_is_served_through_llama_cpp()
    {
        string gguf = GgufFixture.Stories260K();
        var (server, url) = ServeProcess.Start(gguf, 0, "--served-model-name", "s260-gguf");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            using var model = LlamaCppModel.Load(gguf);
            int[] prompt = [model.BosId!.Value, .. model.Tokenize("The cat sat on the mat.")];
            string body = JsonSerializer.Serialize(new { model = "s260-gguf", prompt = new[] { prompt }, max_tokens = 0, echo = true, logprobs = 1 });
            using var response = await http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.IsSuccessStatusCode, json.ToString());
            var got = json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Skip(1).Select(x => x.GetDouble()).ToArray();
            var expected = model.Loglikelihood([new(prompt[..1], prompt[1..])])[0].TokenLogProbs;
            Assert.Equal(expected.Length, got.Length);
            for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-5, $"token {i + 1}: served {got[i]}, in-process {expected[i]}");
            var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement;
            Assert.Equal("s260-gguf", models.GetProperty("data")[0].GetProperty("id").GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            server.Dispose();
        }
    }
}
