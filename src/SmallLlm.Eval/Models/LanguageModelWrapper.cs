using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Models;

/// <summary>A model that adds something around another's three calls (timing, caching) and is that model otherwise.</summary>
public abstract class LanguageModelWrapper(ILanguageModel inner) : ILanguageModel
{
    protected ILanguageModel Inner => inner;

    public ModelIdentity Identity => inner.Identity;
    public ModelDescription Description => inner.Description;
    public int ContextLength => inner.ContextLength;
    public ITextTokenizer Tokenizer => inner.Tokenizer;
    public long TokensProcessed => inner.TokensProcessed;
    public int CountPromptTokens(string text) => inner.CountPromptTokens(text);

    public abstract IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress);
    public abstract IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress);
    public abstract IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress);
}
