using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval model info|logprobs</c>: look inside a checkpoint.</summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Inspect a model: its architecture and size, or the log-probability of each token of a text.");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Logprobs());
        return command;
    }

    private static Command Info()
    {
        var model = ModelOptions.Model();
        var dtype = ModelOptions.DType();
        var json = ModelOptions.Json();
        var command = new Command("info", "Architecture, parameter counts, context length, KV-cache bytes per token (and what grouped-query attention saves), FLOPs per token and the Chinchilla-optimal token count.")
        {
            model, dtype, json,
        };
        command.SetAction(parse =>
        {
            string modelName = parse.GetValue(model)!;
            var spec = ModelSpec.Parse(modelName);
            if (spec is ModelSpec.Gguf) return GgufInfo.Write(modelName, parse.GetValue(json), parse.InvocationConfiguration.Output);
            if (spec is ModelSpec.Remote) throw spec.Lacks("the architecture", "run `smalleval model info` on the checkpoint the server runs");
            var dt = ModelOptions.ResolveDType(parse.GetValue(dtype)!, modelName).DType;
            var c = CheckpointLoader.ReadConfig(modelName); // headers only: no weight is read
            var s = ModelStatistics.Of(c, dt);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    model = modelName,
                    dtype = dt.Name(),
                    architecture = new
                    {
                        hidden_size = c.HiddenSize, intermediate_size = c.IntermediateSize, num_layers = c.NumLayers,
                        num_heads = c.NumHeads, num_kv_heads = c.NumKeyValueHeads, head_dim = c.HeadDim, vocab_size = c.VocabSize,
                        rope_theta = c.RopeTheta, tie_word_embeddings = c.TieWordEmbeddings, rms_norm_eps = c.RmsNormEps,
                        model_type = c.ModelType, rope_scaling = RopeDescription(c), sliding_window = c.SlidingWindow,
                        unusual = Unusual(c),
                    },
                    context_length = c.MaxPositionEmbeddings,
                    parameters = new { total = s.TotalParameters, embedding = s.EmbeddingParameters, non_embedding = s.NonEmbeddingParameters },
                    kv_cache_bytes_per_token = s.KvCacheBytesPerToken,
                    kv_cache_bytes_per_token_multi_head = s.KvCacheBytesPerTokenMultiHead,
                    flops_per_token = new { matmul = s.MatmulFlopsPerToken, at_full_context = s.FlopsPerTokenAtFullContext },
                    chinchilla_optimal_tokens = s.ChinchillaOptimalTokens,
                }, CliJson.Options));
                return 0;
            }
            double saved = 1 - (double)s.KvCacheBytesPerToken / s.KvCacheBytesPerTokenMultiHead;
            string gqa = c.NumKeyValueHeads == c.NumHeads ? "multi-head" : c.NumKeyValueHeads == 1 ? "multi-query" : "grouped-query";
            var rows = new List<(string, string)>
            {
                ("model", modelName + (spec is ModelSpec.Bundled b ? $" (bundled: {b.Model.Description})" : "")),
                ("architecture", $"{ModelFamily.Architecture(c.ModelType)} ({c.ModelType}), {c.NumLayers} layers, hidden {c.HiddenSize}, MLP {c.IntermediateSize} (SwiGLU), vocab {c.VocabSize:N0}"),
                ("attention", $"{c.NumHeads} heads of {c.HeadDim}, {c.NumKeyValueHeads} KV heads ({gqa})"),
                ("rope", $"theta {c.RopeTheta:G}, " + RopeDescription(c)),
                ("embeddings", c.TieWordEmbeddings ? "tied (LM head = embedding)" : "untied (separate LM head)"),
                ("context", $"{c.MaxPositionEmbeddings:N0} tokens"),
                ("parameters", $"{s.TotalParameters:N0} = {s.EmbeddingParameters:N0} embedding + {s.NonEmbeddingParameters:N0} non-embedding"),
                ("weights", $"{Units.Bytes(s.TotalParameters * dt.Bytes())} in {dt.Name()}"),
                ("kv cache", $"{Units.Bytes(s.KvCacheBytesPerToken)}/token in {dt.Name()}, {Units.Bytes(s.KvCacheBytesPerToken * c.MaxPositionEmbeddings)} at full context" +
                             (saved > 0 ? $" (multi-head would need {Units.Bytes(s.KvCacheBytesPerTokenMultiHead)}/token: {gqa} saves {saved * 100:F0}%)" : "")),
                ("flops/token", $"{Units.Count(s.MatmulFlopsPerToken)} (matmuls), {Units.Count(s.FlopsPerTokenAtFullContext)} at full context"),
                ("chinchilla", $"{Units.Count(s.ChinchillaOptimalTokens)} training tokens (20 per parameter)"),
            };
            var unusual = Unusual(c);
            if (unusual.Count > 0) rows.Insert(3, ("unusual", string.Join("; ", unusual)));
            foreach (var (k, v) in rows) output.WriteLine($"{k,-13}{v}");
            return 0;
        });
        return command;
    }

    private static string RopeDescription(LlamaConfig c) => c.RopeScaling switch
    {
        null => "no scaling",
        Llama3RopeScaling r => $"llama3 scaling x{r.Factor:G} from {r.OriginalMaxPositionEmbeddings:N0}",
        DynamicNtkRopeScaling r => $"dynamic NTK scaling x{r.Factor:G} beyond {r.OriginalMaxPositionEmbeddings:N0}",
        var r => $"{r.Type} scaling x{r.Factor:G}",
    };

    /// <summary>What differs from plain Llama: the things a reader of a results table may want to know.</summary>
    private static List<string> Unusual(LlamaConfig c)
    {
        var list = new List<string>();
        if (c.QkvBias) list.Add("q/k/v biases");
        if (c.OutputBias) list.Add("output projection bias");
        if (c.MlpBias) list.Add("MLP biases");
        if (c.QkNorm) list.Add("q/k RMSNorm");
        if (c.SlidingWindow is int w)
            list.Add($"sliding window {w:N0}" + (c.SlidingWindowFirstLayer > 0 ? $" from layer {c.SlidingWindowFirstLayer}" : " in every layer"));
        if (c.RopeScaling is { } r) list.Add($"rope scaling {r.Type}");
        if (c.HeadDim * c.NumHeads != c.HiddenSize) list.Add($"head_dim {c.HeadDim} x {c.NumHeads} heads != hidden {c.HiddenSize}");
        return list;
    }

    private static Command Logprobs()
    {
        var model = ModelOptions.Model();
        var dtype = ModelOptions.DType();
        var tokenizer = ModelOptions.Tokenizer();
        var json = ModelOptions.Json();
        var tokens = new Option<string?>("--tokens") { Description = "Comma-separated token ids, e.g. 1,403,407 (the first one is context only)." };
        var text = new Option<string?>("--text") { Description = "Text to tokenize (BOS is prepended unless --no-bos)." };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not prepend the tokenizer's BOS to --text." };
        var backend = ModelBackends.BackendOption();
        var fast = ModelBackends.FastOption();
        var command = new Command("logprobs", "Log-probability of each token given the ones before it, their sum, the mean NLL and perplexity.")
        {
            model, dtype, tokens, text, tokenizer, noBos, backend, fast, json,
        };
        command.SetAction(parse =>
        {
            string modelName = parse.GetValue(model)!;
            string? tokenText = parse.GetValue(tokens), inputText = parse.GetValue(text);
            if ((tokenText is null) == (inputText is null)) throw new ArgumentException("give exactly one of --tokens or --text");
            var spec = ModelSpec.Parse(modelName);
            using var loaded = ModelBackends.OpenEngine(spec, parse.GetValue(backend)!, parse.GetValue(fast),
                ModelOptions.ResolveDType(parse.GetValue(dtype)!, modelName).DType, parse.GetValue(tokenizer), idsOnly: tokenText is not null);
            var engine = loaded.Engine;
            var tok = engine.Tokenizer;
            int[] ids;
            if (tokenText is not null) ids = ModelOptions.ParseTokens(tokenText);
            else
            {
                var encoded = tok.Encode(inputText!);
                ids = !parse.GetValue(noBos) && tok.BosId is int bos ? [bos, .. encoded] : [.. encoded];
            }
            if (ids.Length < 2) throw new ArgumentException($"need at least 2 tokens to score (got {ids.Length}): the first one is only context");
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] < 0 || ids[i] >= engine.VocabSize) throw new ArgumentException($"token id {ids[i]} at position {i} is outside the vocabulary [0, {engine.VocabSize})");
            if (ids.Length - 1 > engine.ContextLength)
                throw new ArgumentException($"{ids.Length} tokens need {ids.Length - 1} positions, more than the model's context of {engine.ContextLength}");

            float[] logProbs = engine.Score([ids], topN: 0, includeLast: false)[0].TokenLogProbs; // position p: log P(ids[p+1])
            double sum = logProbs.Sum(v => (double)v);
            double meanNll = -sum / (ids.Length - 1);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    tokens = ids,
                    logprobs = new double?[] { null }.Concat(logProbs.Select(x => (double?)x)).ToArray(),
                    sum_logprob = sum,
                    mean_nll = meanNll,
                    perplexity = Math.Exp(meanNll),
                }, CliJson.Options));
                return 0;
            }
            output.WriteLine($"{"pos",4} {"id",7}  {"token",-16} {"logprob",10}");
            for (int i = 0; i < ids.Length; i++)
            {
                string piece = Units.Printable(tok.IdToPiece(ids[i]));
                string lp = i == 0 ? "" : logProbs[i - 1].ToString("F6");
                output.WriteLine($"{i,4} {ids[i],7}  {piece,-16} {lp,10}");
            }
            output.WriteLine($"tokens scored {ids.Length - 1}, sum logprob {sum:F6}, mean NLL {meanNll:F7}, perplexity {Math.Exp(meanNll):F6}");
            return 0;
        });
        return command;
    }
}
