using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Tokenizers;
using TorchSharp;

namespace SmallLlm.Eval.Serve;

/// <summary>The built-in TorchSharp engine behind the server: sequences of a batch are right-padded into one forward
/// pass (attention is causal, so padding never changes a real position), then each row goes through the LM head.</summary>
public sealed class TorchCompletionEngine(LlamaModel model, ITextTokenizer tokenizer, string modelName) : ICompletionEngine
{
    private readonly TokenGenerator _generator = new(model);

    public string ModelName => modelName;
    public int ContextLength => model.Config.MaxPositionEmbeddings;
    public int VocabSize => model.Config.VocabSize;
    public ITextTokenizer Tokenizer => tokenizer;

    /// <summary>Tokens run through the model so far (padding included).</summary>
    public long TokensProcessed { get; private set; }

    public IReadOnlyList<PromptScores> Score(IReadOnlyList<int[]> sequences, int topN, bool includeLast)
    {
        // A sequence of ContextLength+1 tokens is scorable when its last position is not needed (echo, max_tokens 0).
        var fed = sequences.Select(s => Math.Min(includeLast ? s.Length : s.Length - 1, ContextLength)).ToArray();
        int width = Math.Max(1, fed.Max());
        var ids = new long[sequences.Count * width];
        for (int b = 0; b < sequences.Count; b++)
            for (int t = 0; t < fed[b]; t++) ids[b * width + t] = sequences[b][t];
        TokensProcessed += (long)sequences.Count * width;
        var results = new PromptScores[sequences.Count];
        using var scope = torch.NewDisposeScope();
        var hidden = model.Hidden(torch.tensor(ids, [sequences.Count, width]));
        for (int b = 0; b < sequences.Count; b++)
        {
            var seq = sequences[b];
            int n = fed[b];
            if (n == 0) { results[b] = new PromptScores([], []); continue; }
            using var inner = torch.NewDisposeScope();
            var logProbs = model.Logits(hidden[b].narrow(0, 0, n)).log_softmax(-1); // [n, vocab] float32
            var flat = logProbs.data<float>().ToArray();
            int vocab = (int)logProbs.shape[1];
            int scored = Math.Min(n, seq.Length - 1);
            var tokenLp = new float[scored];
            for (int p = 0; p < scored; p++) tokenLp[p] = flat[p * vocab + seq[p + 1]];
            var top = new (int, float)[topN > 0 ? n : 0][];
            if (topN > 0)
            {
                var (values, indices) = logProbs.topk(Math.Min(topN, vocab), dim: -1);
                var v = values.data<float>().ToArray();
                var ix = indices.data<long>().ToArray();
                int k = (int)values.shape[1];
                for (int p = 0; p < n; p++)
                    top[p] = Enumerable.Range(0, k).Select(j => ((int)ix[p * k + j], v[p * k + j])).ToArray();
            }
            results[b] = new PromptScores(tokenLp, top);
        }
        return results;
    }

    public (int[] Tokens, bool Stopped) Generate(int[] prompt, int maxTokens, double temperature, double topP, ulong seed, IReadOnlyList<string> stop)
    {
        var result = Generate(prompt, ServedGeneration.Settings(prompt, maxTokens, temperature, topP, seed, stop, tokenizer));
        return (result.Tokens, ServedGeneration.Stopped(result));
    }

    public GenerationResult Generate(int[] prompt, GenerationSettings settings)
    {
        var result = _generator.Generate(prompt, settings);
        TokensProcessed += prompt.Length + result.Tokens.Length;
        return result;
    }
}
