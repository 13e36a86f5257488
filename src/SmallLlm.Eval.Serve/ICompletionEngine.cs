using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Serve;

/// <summary>What the server needs of a model: token-level scoring and generation, its tokenizer and limits.
/// Calls come from one worker thread at a time.</summary>
public interface ICompletionEngine
{
    string ModelName { get; }
    int ContextLength { get; }
    int VocabSize { get; }
    ITextTokenizer Tokenizer { get; }

    /// <summary>Scores whole sequences together (one batch); <paramref name="topN"/> 0 skips the top lists.
    /// <paramref name="includeLast"/>: also the distribution after each sequence's last token.</summary>
    IReadOnlyList<PromptScores> Score(IReadOnlyList<int[]> sequences, int topN, bool includeLast);

    /// <summary>Generates up to <paramref name="maxTokens"/> tokens; returns them and whether a stop ended it.</summary>
    (int[] Tokens, bool Stopped) Generate(int[] prompt, int maxTokens, double temperature, double topP, ulong seed, IReadOnlyList<string> stop);

    /// <summary>Generates with the engine's sampler settings as given (the <c>generate</c> command: its own stop rule,
    /// and the prefill and decode times it reports).</summary>
    GenerationResult Generate(int[] prompt, GenerationSettings settings);
}
