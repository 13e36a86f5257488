namespace SmallLlm.Eval.Requests;

/// <summary>What a task asks of a model. Three kinds, as lm-evaluation-harness's LM API has.</summary>
public abstract record ModelRequest;

/// <summary>log P(continuation | context), and whether greedy decoding would produce the continuation.</summary>
public sealed record LoglikelihoodRequest(string Context, string Continuation) : ModelRequest;

/// <summary>log P(text) over the whole text, in windows of the model's context.</summary>
public sealed record RollingLoglikelihoodRequest(string Text) : ModelRequest;

/// <summary>Generate from <see cref="Context"/> until one of <see cref="Until"/> appears or <see cref="MaxTokens"/>.</summary>
public sealed record GenerateRequest(string Context, IReadOnlyList<string> Until, int MaxTokens, double Temperature, ulong Seed) : ModelRequest
{
    // Records compare lists by reference; requests are compared by value (cache keys, deduplication).
    public bool Equals(GenerateRequest? other) => other is not null && Context == other.Context && Until.SequenceEqual(other.Until)
        && MaxTokens == other.MaxTokens && Temperature.Equals(other.Temperature) && Seed == other.Seed;

    public override int GetHashCode() => HashCode.Combine(Context, string.Join("\u0000", Until), MaxTokens, Temperature, Seed);
}
