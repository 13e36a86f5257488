using System.Net;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.LlamaCpp;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>`serve --backend llamacpp`: a GGUF file served over loopback answers with the llama.cpp backend's own numbers.</summary>
public class LlamaCppServeTests
{
    private static readonly Lazy<string> Gguf = new(() =>
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("smalleval-serve-gguf-").FullName, "stories260K.gguf");
        GgufConversion.Convert("stories260K", path, GgmlType.F32);
        return path;
    });

    private static async Task<(HttpStatusCode, JsonElement)> Post(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Lm_eval_payload_on_a_gguf_gives_the_llama_cpp_backends_numbers()
    {
        using var served = LlamaCppModel.Load(Gguf.Value);
        using var inProcess = LlamaCppModel.Load(Gguf.Value);
        await using var server = new CompletionServer(new LlamaCppCompletionEngine(served, "stories260K-gguf"), new ServeOptions { Port = 0 });
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(120) };

        string[] texts = ["Once upon a time, there was a little girl named Lily.", "The cat sat on the mat.", "Tom had a big red ball and a dog."];
        var prompts = texts.Select(t => new[] { inProcess.BosId!.Value }.Concat(inProcess.Tokenize(t)).ToArray()).ToList();
        string payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "stories260K-gguf", ["prompt"] = prompts, ["temperature"] = 0, ["max_tokens"] = 1, ["logprobs"] = 1, ["seed"] = 1234, ["echo"] = true,
        });
        var (status, json) = await Post(http, payload);
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        var choices = json.GetProperty("choices").EnumerateArray().OrderBy(c => c.GetProperty("index").GetInt32()).ToList();
        for (int i = 0; i < prompts.Count; i++)
        {
            var lp = choices[i].GetProperty("logprobs");
            var got = lp.GetProperty("token_logprobs").EnumerateArray().ToList();
            Assert.Equal(prompts[i].Length + 1, got.Count);
            Assert.Equal(JsonValueKind.Null, got[0].ValueKind);
            // Every prompt token against the in-process backend, then lm-eval's parse of a context/continuation split.
            var whole = inProcess.Loglikelihood([new ContinuationRequest(prompts[i][..1], prompts[i][1..])])[0];
            for (int t = 1; t < prompts[i].Length; t++)
                Assert.True(Math.Abs(whole.TokenLogProbs[t - 1] - got[t].GetDouble()) <= 1e-5, $"prompt {i} token {t}: served {got[t]}, in-process {whole.TokenLogProbs[t - 1]}");
            int ctxlen = prompts[i].Length - 4;
            var expected = inProcess.Loglikelihood([new ContinuationRequest(prompts[i][..ctxlen], prompts[i][ctxlen..])])[0];
            double sum = got.Skip(ctxlen).Take(got.Count - 1 - ctxlen).Sum(x => x.GetDouble());
            Assert.Equal(expected.TokenLogProbs.Sum(x => (double)x), sum, 1e-5);
            var top = lp.GetProperty("top_logprobs").EnumerateArray().ToList();
            bool lmEvalGreedy = Enumerable.Range(ctxlen, got.Count - 1 - ctxlen)
                .All(t => got[t].GetDouble() == top[t].EnumerateObject().Max(p => p.Value.GetDouble()));
            Assert.Equal(expected.IsGreedy, lmEvalGreedy);
        }

        // A text prompt generated greedily equals the backend's own generation.
        (status, json) = await Post(http, """{"prompt": "Once upon a time", "max_tokens": 20, "temperature": 0}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        int[] prompt = [inProcess.BosId!.Value, .. inProcess.Tokenize("Once upon a time")];
        var generated = inProcess.Generate(prompt, new GenerationSettings { MaxNewTokens = 20, StopTokens = new HashSet<int> { inProcess.EosId!.Value } });
        Assert.Equal(inProcess.Decode(generated.Tokens), json.GetProperty("choices")[0].GetProperty("text").GetString());

        // lm-eval's remote tokenizer: EOS's text tokenizes to EOS.
        var info = JsonDocument.Parse(await http.GetStringAsync("/tokenizer_info")).RootElement;
        using var tokResponse = await http.PostAsync("/tokenize", new StringContent(JsonSerializer.Serialize(new { prompt = info.GetProperty("eos_token").GetString(), add_special_tokens = false }), Encoding.UTF8, "application/json"));
        var ids = JsonDocument.Parse(await tokResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("tokens");
        Assert.Equal(inProcess.EosId!.Value, ids[0].GetInt32());
    }
}
