namespace SmallLlm.Eval.Requests;

/// <summary>A model's answer to a <see cref="ModelRequest"/>.</summary>
public abstract record ModelResponse;

/// <param name="LogLikelihood">Sum of log-probabilities of the continuation's tokens (natural log).</param>
/// <param name="IsGreedy">Every continuation token is the argmax.</param>
/// <param name="Tokens">Continuation tokens scored.</param>
/// <param name="Truncated">The context was cut on the left to fit the model's context.</param>
public sealed record LoglikelihoodResponse(double LogLikelihood, bool IsGreedy, int Tokens, bool Truncated) : ModelResponse;

/// <param name="LogLikelihood">Sum of log-probabilities of every token of the text.</param>
/// <param name="Tokens">Tokens of the text (BOS excluded).</param>
public sealed record RollingLoglikelihoodResponse(double LogLikelihood, int Tokens) : ModelResponse;

public sealed record GenerateResponse(string Text, int Tokens) : ModelResponse;
