using SmallLlm.Eval.Kld;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>Full next-token distributions from llama.cpp (all logits of one sequence in one llama_decode).</summary>
public sealed class LlamaCppTokenDistributions(LlamaCppLanguageModel model) : ITokenDistributions
{
    public string Name => model.Identity.Name;
    public int VocabSize => model.Engine.VocabSize;
    public int ContextLength => model.ContextLength;
    public int PrefixToken => model.Engine.BosId ?? model.Engine.EosId ?? 0;
    public int[] Tokenize(string text) => model.Engine.Tokenize(text);
    public void ForEachLogits(IReadOnlyList<int> tokens, Action<int, ReadOnlySpan<float>> onLogits) => model.Engine.ForEachLogits(tokens, onLogits);
    public void Dispose() => model.Dispose();
}
