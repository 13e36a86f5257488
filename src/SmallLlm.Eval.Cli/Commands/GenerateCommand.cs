using SmallLlm.Eval.Tokenizers;
using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval generate</c>: continue a prompt with the KV-cached engine.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var dtype = ModelOptions.DType();
        var tokenizer = ModelOptions.Tokenizer();
        var json = ModelOptions.Json();
        var prompt = new Option<string?>("--prompt", "-p") { Description = "Prompt text (BOS is prepended). Empty or omitted: start from BOS alone." };
        var tokens = new Option<string?>("--tokens") { Description = "Prompt as comma-separated token ids instead of text." };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy (default); above 0 samples.", DefaultValueFactory = _ => 0.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling threshold (1 = off).", DefaultValueFactory = _ => 1.0 };
        var backend = ModelBackends.BackendOption();
        var fast = ModelBackends.FastOption();
        var seed = new Option<ulong>("--seed") { Description = "Seed for sampling; the same seed gives the same text.", DefaultValueFactory = _ => 0UL };
        var command = new Command("generate", "Generate a continuation of a prompt, greedy or sampled with a seed, using a KV cache, on the built-in engine or llama.cpp (a .gguf model). Stops at EOS or --max-tokens.")
        {
            model, dtype, prompt, tokens, tokenizer, maxTokens, temperature, topP, seed, backend, fast, json,
        };
        command.SetAction(parse =>
        {
            string modelName = parse.GetValue(model)!;
            string? tokenText = parse.GetValue(tokens), promptText = parse.GetValue(prompt);
            if (tokenText is not null && promptText is not null) throw new ArgumentException("give --prompt or --tokens, not both");
            if (parse.GetValue(maxTokens) < 1) throw new ArgumentException("--max-tokens must be at least 1");
            // NaN compares false with everything: test for the accepted range, not against the refused one.
            if (!(parse.GetValue(temperature) >= 0 && double.IsFinite(parse.GetValue(temperature))))
                throw new ArgumentException($"--temperature must be a finite number >= 0, got {parse.GetValue(temperature)}");
            if (!(parse.GetValue(topP) > 0 && parse.GetValue(topP) <= 1))
                throw new ArgumentException($"--top-p must be in (0, 1], got {parse.GetValue(topP)}");
            using var loaded = ModelBackends.OpenEngine(ModelSpec.Parse(modelName), parse.GetValue(backend)!, parse.GetValue(fast),
                ModelOptions.ResolveDType(parse.GetValue(dtype)!, modelName).DType, parse.GetValue(tokenizer), idsOnly: tokenText is not null);
            var engine = loaded.Engine;
            // Token ids in, token ids out, unless a text prompt or --tokenizer asks for text.
            ITextTokenizer? tok = tokenText is null || parse.GetValue(tokenizer) is not null ? engine.Tokenizer : null;
            int[] ids = tokenText is not null
                ? ModelOptions.ParseTokens(tokenText)
                : [.. tok!.BosId is int bos ? new[] { bos } : [], .. tok.Encode(promptText ?? "")];
            if (ids.Length == 0) throw new ArgumentException("the prompt is empty and the tokenizer has no BOS: give --prompt or --tokens");

            var eos = engine.Tokenizer.EosId;
            var result = engine.Generate(ids, new GenerationSettings
            {
                MaxNewTokens = parse.GetValue(maxTokens),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                Seed = parse.GetValue(seed),
                StopTokens = eos is int e ? new HashSet<int> { e } : new HashSet<int>(),
            });
            string? text = tok?.DecodeAfter(ids, result.Tokens); // keeps the first generated word's leading space
            double tps = result.Tokens.Length / Math.Max(1e-9, result.DecodeSeconds);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    prompt_tokens = ids,
                    tokens = result.Tokens,
                    text,
                    finish_reason = result.Finish,
                    prefill_seconds = result.PrefillSeconds,
                    decode_seconds = result.DecodeSeconds,
                    decode_tokens_per_second = tps,
                }, CliJson.Options));
                return 0;
            }
            output.WriteLine(tok is null ? string.Join(",", result.Tokens) : (promptText ?? "") + text);
            parse.InvocationConfiguration.Error.WriteLine(
                $"[{result.Tokens.Length} tokens, {tps:F0} tokens/s decode, prefill {result.PrefillSeconds * 1000:F1} ms, finish: {result.Finish}]");
            return 0;
        });
        return command;
    }
}
