using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.LlamaCpp;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve;

/// <summary>A GGUF model on llama.cpp behind the server: sequences of a batch packed into llama_decode calls (own
/// sequence ids), log-probabilities in double precision as the llama.cpp backend's in-process scorer computes them.</summary>
public sealed class LlamaCppCompletionEngine(LlamaCppModel model, string modelName) : ICompletionEngine
{
    private readonly LlamaCppTokenizer _tokenizer = new(model, $"gguf:{Path.GetFileName(model.Path)}");

    public string ModelName => modelName;
    public int ContextLength => model.ContextLength;
    public int VocabSize => model.VocabSize;
    public ITextTokenizer Tokenizer => _tokenizer;

    public IReadOnlyList<PromptScores> Score(IReadOnlyList<int[]> sequences, int topN, bool includeLast)
    {
        // A sequence of ContextLength+1 tokens is scorable when its last position is not needed (echo, max_tokens 0).
        var feedLast = sequences.Select(s => includeLast && s.Length <= ContextLength).ToArray();
        var tokenLp = sequences.Select(s => new float[Math.Max(0, s.Length - 1)]).ToArray();
        var top = sequences.Select((s, i) => new (int, float)[topN > 0 ? s.Length - (feedLast[i] ? 0 : 1) : 0][]).ToArray();
        var all = sequences.Where((_, i) => feedLast[i]).ToList();
        var allIndex = Enumerable.Range(0, sequences.Count).Where(i => feedLast[i]).ToArray();
        var rest = sequences.Where((_, i) => !feedLast[i]).ToList();
        var restIndex = Enumerable.Range(0, sequences.Count).Where(i => !feedLast[i]).ToArray();
        void OnLogits(int[] index, int s, int p, ReadOnlySpan<float> logits)
        {
            int i = index[s];
            var seq = sequences[i];
            double logSum = LogSumExp(logits);
            if (p + 1 < seq.Length) tokenLp[i][p] = (float)(logits[seq[p + 1]] - logSum);
            if (topN > 0) top[i][p] = Top(logits, logSum, topN);
        }
        if (all.Count > 0) model.ForEachLogits(all, includeLast: true, (s, p, l) => OnLogits(allIndex, s, p, l));
        if (rest.Count > 0) model.ForEachLogits(rest, includeLast: false, (s, p, l) => OnLogits(restIndex, s, p, l));
        return Enumerable.Range(0, sequences.Count).Select(i => new PromptScores(tokenLp[i], top[i])).ToList();
    }

    public (int[] Tokens, bool Stopped) Generate(int[] prompt, int maxTokens, double temperature, double topP, ulong seed, IReadOnlyList<string> stop)
    {
        var result = model.Generate(prompt, ServedGeneration.Settings(prompt, maxTokens, temperature, topP, seed, stop, _tokenizer));
        return (result.Tokens, ServedGeneration.Stopped(result));
    }

    public GenerationResult Generate(int[] prompt, GenerationSettings settings) => model.Generate(prompt, settings);

    /// <summary>log Σ exp(logits) in double precision: the same normaliser as <see cref="LlamaCppModel.LogSoftmaxAt"/>.</summary>
    private static double LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++) if (logits[i] > max) max = logits[i];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - max);
        return max + Math.Log(sum);
    }

    /// <summary>The <paramref name="n"/> most likely tokens, best first (ties: lower id first, as the first argmax).</summary>
    private static (int, float)[] Top(ReadOnlySpan<float> logits, double logSum, int n)
    {
        n = Math.Min(n, logits.Length);
        var ids = new int[n];
        var values = new float[n];
        int count = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (count == n && v <= values[n - 1]) continue;
            int at = count < n ? count++ : n - 1;
            while (at > 0 && values[at - 1] < v) { ids[at] = ids[at - 1]; values[at] = values[at - 1]; at--; }
            ids[at] = i;
            values[at] = v;
        }
        var result = new (int, float)[n];
        for (int k = 0; k < n; k++) result[k] = (ids[k], (float)(values[k] - logSum));
        return result;
    }
}
