using SmallLlm.Eval.Models;
using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Kld;

/// <summary>Full next-token distributions from the built-in engine: one forward pass, logits at every position.</summary>
public sealed class TorchTokenDistributions(LocalLanguageModel model) : ITokenDistributions
{
    public string Name => model.Identity.Name;
    public int VocabSize => model.Engine.Config.VocabSize;
    public int ContextLength => model.ContextLength;
    public int PrefixToken => model.Tokenizer.BosId ?? model.Tokenizer.EosId ?? model.Engine.Config.BosTokenId ?? 0;
    public int[] Tokenize(string text) => [.. model.Tokenizer.Encode(text)];

    public void ForEachLogits(IReadOnlyList<int> tokens, Action<int, ReadOnlySpan<float>> onLogits) =>
        FullLogits.ForEach(model.Engine, tokens, onLogits);

    public void Dispose() => model.Dispose();
}
