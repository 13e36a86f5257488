using System.Net;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>POST /v1/completions on a real Kestrel server over loopback, answered by the real engine.</summary>
public class CompletionsApiTests
{
    private static readonly string[] Texts =
    [
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.",
        "The cat sat on the mat and looked at the big red ball.",
        "Tom had a dog. The dog was happy and ran to the tree.",
    ];

    private static async Task<(HttpStatusCode, JsonElement)> Post(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Lm_eval_loglikelihood_payload_gives_the_engines_logprobs()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        var prompts = Texts.Select(t => new[] { tok.BosId!.Value }.Concat(tok.Encode(t)).ToArray()).ToList();
        using var llama = new LlamaModel(CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var engine = new TokenScorer(llama);
        // Exactly what lm-eval's local-completions sends for log-likelihood requests.
        string payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "stories260K", ["prompt"] = prompts, ["temperature"] = 0, ["max_tokens"] = 1, ["logprobs"] = 1, ["seed"] = 1234, ["echo"] = true,
        });
        var (status, json) = await Post(s.Http, "/v1/completions", payload);
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        var choices = json.GetProperty("choices").EnumerateArray().OrderBy(c => c.GetProperty("index").GetInt32()).ToList();
        Assert.Equal(prompts.Count, choices.Count);
        for (int i = 0; i < prompts.Count; i++)
        {
            // The in-process reference (what `smalleval model logprobs --tokens ...` prints): every token after the first
            // scored by the engine; expected[t] is token t's log-probability.
            double[] expected = [double.NaN, .. engine.Loglikelihood([new(prompts[i][..1], prompts[i][1..])])[0].TokenLogProbs.Select(x => (double)x)];
            var lp = choices[i].GetProperty("logprobs");
            var got = lp.GetProperty("token_logprobs").EnumerateArray().ToList();
            Assert.Equal(prompts[i].Length + 1, got.Count); // the prompt echoed plus the one generated token
            Assert.Equal(JsonValueKind.Null, got[0].ValueKind);
            for (int t = 1; t < prompts[i].Length; t++)
                Assert.Equal(expected[t], got[t].GetDouble(), 1e-5);
            Assert.Equal(got.Count, lp.GetProperty("tokens").GetArrayLength());
            Assert.Equal(got.Count, lp.GetProperty("text_offset").GetArrayLength());
            var top = lp.GetProperty("top_logprobs").EnumerateArray().ToList();
            Assert.Equal(JsonValueKind.Null, top[0].ValueKind);

            // lm-eval's parser: ctxlen = all but the last 5 prompt tokens are context.
            int ctxlen = prompts[i].Length - 5;
            double sum = got.Skip(ctxlen).Take(got.Count - 1 - ctxlen).Sum(x => x.GetDouble());
            double reference = expected.Skip(ctxlen).Sum();
            Assert.Equal(reference, sum, 1e-5);
            // is_greedy as lm-eval computes it agrees with the engine's argmax check.
            bool lmEvalGreedy = Enumerable.Range(ctxlen, got.Count - 1 - ctxlen)
                .All(t => got[t].GetDouble() == top[t].EnumerateObject().Max(p => p.Value.GetDouble()));
            var engineScore = engine.Loglikelihood([new(prompts[i][..ctxlen], prompts[i][ctxlen..])])[0];
            Assert.Equal(engineScore.IsGreedy, lmEvalGreedy);
            Assert.Equal("length", choices[i].GetProperty("finish_reason").GetString());
        }
        var usage = json.GetProperty("usage");
        Assert.Equal(prompts.Sum(p => p.Length), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(prompts.Count, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("text_completion", json.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Text_prompts_echo_top_n_and_greedy_generation_match_the_engine()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        // Greedy generation from a text prompt equals `smalleval generate`.
        var (status, json) = await Post(s.Http, "/v1/completions",
            """{"prompt": "Once upon a time", "max_tokens": 24, "temperature": 0, "logprobs": 5}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        // The in-process reference: what `smalleval generate --prompt ... -n 24` prints.
        int[] ids = [tok.BosId!.Value, .. tok.Encode("Once upon a time")];
        using var llama = new LlamaModel(CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var generated = new TokenGenerator(llama).Generate(ids, new GenerationSettings { MaxNewTokens = 24, StopTokens = new HashSet<int> { tok.EosId!.Value } });
        string expected = tok.DecodeAfter(ids, generated.Tokens);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(expected, choice.GetProperty("text").GetString());
        var lp = choice.GetProperty("logprobs");
        Assert.Equal(24, lp.GetProperty("tokens").GetArrayLength());
        foreach (var top in lp.GetProperty("top_logprobs").EnumerateArray())
            Assert.InRange(top.EnumerateObject().Count(), 5, 6); // top 5, plus the chosen token when it is not among them
        Assert.Equal(0, lp.GetProperty("text_offset")[0].GetInt32());

        // Echo with max_tokens 0: the prompt text comes back and every prompt token after the first is scored.
        (status, json) = await Post(s.Http, "/v1/completions",
            """{"prompt": ["Once upon a time", "The cat"], "max_tokens": 0, "echo": true, "logprobs": 0}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        Assert.Equal("The cat", json.GetProperty("choices")[1].GetProperty("text").GetString());
        int n = tok.Encode("The cat").Count + 1;
        Assert.Equal(n, json.GetProperty("choices")[1].GetProperty("logprobs").GetProperty("token_logprobs").GetArrayLength());

        // Stop strings cut the text; n samples with a seed are reproducible.
        (status, json) = await Post(s.Http, "/v1/completions",
            """{"prompt": "Once upon a time", "max_tokens": 30, "temperature": 0.8, "seed": 7, "n": 2, "stop": ["."]}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        Assert.Equal(2, json.GetProperty("choices").GetArrayLength());
        var (_, again) = await Post(s.Http, "/v1/completions",
            """{"prompt": "Once upon a time", "max_tokens": 30, "temperature": 0.8, "seed": 7, "n": 2, "stop": ["."]}""");
        for (int i = 0; i < 2; i++)
        {
            string text = json.GetProperty("choices")[i].GetProperty("text").GetString()!;
            Assert.DoesNotContain(".", text);
            Assert.Equal(text, again.GetProperty("choices")[i].GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task Generated_text_keeps_its_leading_space_echo_reads_as_the_prompt_and_top_logprobs_spell_each_token_once()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        // The reference is one decode of the whole sequence: the prompt's text followed by the answer's must equal it.
        int[] prompt = [tok.BosId!.Value, .. tok.Encode("Lily wanted a puppy")];
        using var llama = new LlamaModel(CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var generated = new TokenGenerator(llama).Generate(prompt, new GenerationSettings { MaxNewTokens = 6, StopTokens = new HashSet<int> { tok.EosId!.Value } });
        string whole = tok.Decode([.. prompt, .. generated.Tokens]);
        var (status, json) = await Post(s.Http, "/v1/completions", """{"prompt": "Lily wanted a puppy", "max_tokens": 6, "temperature": 0}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        string text = json.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.StartsWith(" ", text);
        Assert.Equal(whole, "Lily wanted a puppy" + text);

        // Token-id prompt, echoed: "Once upon a" + " time" reads as one text.
        int[] once = [tok.BosId!.Value, .. tok.Encode("Once upon a")];
        (status, json) = await Post(s.Http, "/v1/completions", JsonSerializer.Serialize(new { prompt = once, max_tokens = 1, temperature = 0, echo = true, logprobs = 5 }));
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("Once upon a time", choice.GetProperty("text").GetString());
        var lp = choice.GetProperty("logprobs");
        var tokens = lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var values = lp.GetProperty("token_logprobs").EnumerateArray().ToArray();
        var tops = lp.GetProperty("top_logprobs").EnumerateArray().ToArray();
        Assert.Equal(" upon", tokens[2]);
        for (int t = 1; t < tokens.Length; t++)
        {
            var keys = tops[t].EnumerateObject().Select(p => p.Name).ToList();
            // The chosen token is listed under its `tokens` spelling, with its own value, and not again without its space.
            Assert.Equal(values[t].GetDouble(), tops[t].GetProperty(tokens[t]).GetDouble(), 1e-6);
            if (tokens[t].StartsWith(' ')) Assert.DoesNotContain(tokens[t].TrimStart(' '), keys);
        }
    }

    [Fact]
    public async Task Models_tokenize_detokenize_and_health()
    {
        await using var s = await LoopbackServer.StartAsync();
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync("/health")).StatusCode);
        var models = JsonDocument.Parse(await s.Http.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("stories260K", models.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(512, models.GetProperty("data")[0].GetProperty("max_model_len").GetInt32());
        var (status, json) = await Post(s.Http, "/tokenize", """{"prompt": "The cat sat."}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = json.GetProperty("tokens").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal(new[] { tok.BosId!.Value }.Concat(tok.Encode("The cat sat.")), ids);
        Assert.Equal(ids.Length, json.GetProperty("count").GetInt32());
        (status, json) = await Post(s.Http, "/detokenize", JsonSerializer.Serialize(new { tokens = ids[1..] }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("The cat sat.", json.GetProperty("prompt").GetString());
        // What lm-eval's remote tokenizer does to find EOS: /tokenizer_info, then /tokenize of eos_token.
        var info = JsonDocument.Parse(await s.Http.GetStringAsync("/tokenizer_info")).RootElement;
        (status, json) = await Post(s.Http, "/tokenize", JsonSerializer.Serialize(new { prompt = info.GetProperty("eos_token").GetString(), add_special_tokens = false }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(tok.EosId!.Value, json.GetProperty("tokens")[0].GetInt32());
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "{not json", "not valid JSON" },
        { "[1,2]", "must be a JSON object" },
        { """{"max_tokens": 1}""", "prompt is required" },
        { """{"prompt": 5}""", "prompt must be a string" },
        { """{"prompt": []}""", "empty list" },
        { """{"prompt": [[1, 2], [1, 99999]]}""", "outside the vocabulary" },
        { """{"prompt": [[1, -3]]}""", "outside the vocabulary" },
        { """{"prompt": [1, 2.5]}""", "not a token id" },
        { """{"prompt": [{"a": 1}]}""", "must be a string or a list of token ids" },
        { """{"prompt": "hi", "max_tokens": -1}""", "max_tokens -1 is out of range" },
        { """{"prompt": "hi", "max_tokens": "ten"}""", "max_tokens must be an integer" },
        { """{"prompt": "hi", "max_tokens": 0}""", "only allowed with echo" },
        { """{"prompt": "hi", "logprobs": 21}""", "logprobs 21 is out of range" },
        { """{"prompt": "hi", "temperature": -0.5}""", "temperature -0.5 is out of range" },
        { """{"prompt": "hi", "top_p": 0}""", "top_p 0 is out of range" },
        { """{"prompt": "hi", "n": 0}""", "n 0 is out of range" },
        { """{"prompt": "hi", "echo": "yes"}""", "echo must be true or false" },
        { """{"prompt": "hi", "stop": 3}""", "stop must be a string or a list" },
        { """{"prompt": "hi", "stop": ["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}""", "at most 16" },
        { """{"prompt": "hi", "seed": "x"}""", "seed must be an integer" },
        { """{"prompt": "hi", "stream": true}""", "streaming is not supported" },
        { """{"prompt": "hi", "max_tokens": 600}""", "out of range" },
        { """{"prompt": "", "max_tokens": 1}""", "no tokens" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_requests_are_400_with_a_named_reason(string body, string reason)
    {
        await using var s = await LoopbackServer.StartAsync();
        var (status, json) = await Post(s.Http, "/v1/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = json.GetProperty("error");
        Assert.Contains(reason, error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Prompt_longer_than_the_context_is_400_and_over_queue_is_429()
    {
        await using var s = await LoopbackServer.StartAsync(new ServeOptions { MaxQueue = 4 });
        var longPrompt = Enumerable.Repeat(300, 513).ToArray(); // 513 positions with one generated token
        var (status, json) = await Post(s.Http, "/v1/completions", JsonSerializer.Serialize(new { prompt = longPrompt, max_tokens = 1 }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("more than the model's context of 512", json.GetProperty("error").GetProperty("message").GetString());
        // Five sequences never fit a queue of four: refused whole, at once.
        var prompts = Enumerable.Range(0, 5).Select(i => new[] { 1, 300 + i }).ToArray();
        (status, json) = await Post(s.Http, "/v1/completions", JsonSerializer.Serialize(new { prompt = prompts, max_tokens = 0, echo = true, logprobs = 1 }));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("rate_limit_error", json.GetProperty("error").GetProperty("type").GetString());
        // The server is still up and answers within its limits.
        (status, _) = await Post(s.Http, "/v1/completions", JsonSerializer.Serialize(new { prompt = prompts[..4], max_tokens = 0, echo = true, logprobs = 1 }));
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
