namespace SmallLlm.Eval.Engine.Generation;

/// <summary>How to continue a prompt: greedy when <see cref="Temperature"/> is 0, else sampled with <see cref="Seed"/>.</summary>
public sealed record GenerationSettings
{
    public int MaxNewTokens { get; init; } = 256;
    public double Temperature { get; init; }
    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches TopP (1 = off).</summary>
    public double TopP { get; init; } = 1.0;
    public ulong Seed { get; init; }
    /// <summary>Token ids that end generation (EOS); the stop token is not included in the output.</summary>
    public IReadOnlySet<int> StopTokens { get; init; } = new HashSet<int>();
    /// <summary>Called after every token with the tokens generated so far; true stops (text-level stop sequences).</summary>
    public Func<IReadOnlyList<int>, bool>? ShouldStop { get; init; }
}

public enum FinishReason { StopToken, StopCondition, MaxTokens, ContextFull }

public sealed record GenerationResult(int[] Tokens, FinishReason Finish, double PrefillSeconds, double DecodeSeconds);
