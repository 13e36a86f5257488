namespace SmallLlm.Eval.Serve;

/// <summary>
/// Log-probabilities of one token sequence under the model. Position p holds the distribution after tokens[0..p]:
/// <see cref="TokenLogProbs"/>[p] is log P(tokens[p+1]) (there are Count-1 of them), <see cref="Top"/>[p] the N most
/// likely next tokens at p (Count entries when the position after the last token was asked for, else Count-1).
/// </summary>
public sealed record PromptScores(float[] TokenLogProbs, (int Id, float LogProb)[][] Top);
