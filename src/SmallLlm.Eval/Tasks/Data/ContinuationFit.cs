using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>
/// Whether a document's continuations (answer choices) can be scored by a model at all: one that is empty or, on its
/// own, as long as the model's context cannot, and would otherwise fail the whole task. Such a document is skipped
/// with a warning naming it (or fails the run under --strict).
/// </summary>
public static class ContinuationFit
{
    /// <summary>Why the continuations cannot be scored, or null when they can.</summary>
    public static string? Problem(ILanguageModel model, IReadOnlyList<string> continuations)
    {
        int bos = model.Identity.AddBos ? 1 : 0;
        for (int i = 0; i < continuations.Count; i++)
        {
            if (continuations[i].Length == 0) return $"choice {i} is empty (nothing to score)";
            // Counted alone, a continuation may take one token less than after its context: keep one token of room.
            int tokens = model.CountPromptTokens(continuations[i]) - bos;
            if (tokens >= model.ContextLength)
                return $"choice {i} alone is {tokens} tokens, which does not fit the model's context of {model.ContextLength} tokens";
        }
        return null;
    }
}
