namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>Score <see cref="Continuation"/> given <see cref="Context"/> (token ids; the context must not be empty).</summary>
public sealed record ContinuationRequest(int[] Context, int[] Continuation);

/// <summary>Sum of log-probabilities of the continuation, whether greedy decoding would produce it, and per-token values.</summary>
public sealed record ContinuationScore(double LogProb, bool IsGreedy, float[] TokenLogProbs);
