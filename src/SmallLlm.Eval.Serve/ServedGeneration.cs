using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve;

/// <summary>A completions request's generation as the engines' sampler settings: EOS and the request's stop strings end it.</summary>
public static class ServedGeneration
{
    /// <remarks>Stop strings are looked for in the text decoded after <paramref name="prompt"/>, as the answer's text is.</remarks>
    public static GenerationSettings Settings(int[] prompt, int maxTokens, double temperature, double topP, ulong seed, IReadOnlyList<string> stop, ITextTokenizer tokenizer) => new()
    {
        MaxNewTokens = maxTokens,
        Temperature = temperature,
        TopP = topP,
        Seed = seed,
        StopTokens = tokenizer.EosId is int eos ? new HashSet<int> { eos } : new HashSet<int>(),
        ShouldStop = stop.Count == 0 ? null : g => StopText.IndexOf(tokenizer.DecodeAfter(prompt, g), stop) >= 0,
    };

    /// <summary>Whether EOS or a stop string ended it (finish_reason "stop"), not the token budget or the context.</summary>
    public static bool Stopped(GenerationResult result) => result.Finish is FinishReason.StopToken or FinishReason.StopCondition;
}
