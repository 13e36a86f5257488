using SmallLlm.Eval.Engine;

namespace SmallLlm.Eval.Models;

/// <summary>How to load a model on the built-in engine: everything is fixed at load (the model does not change after).</summary>
public sealed record LocalModelOptions
{
    public ModelDType DType { get; init; } = ModelDType.Float32;
    /// <summary>How <see cref="DType"/> was chosen (auto or asked for), recorded in results; null: asked for.</summary>
    public Engine.Hardware.DTypeChoice? DTypeChoice { get; init; }
    /// <summary>Tokenizer name or file; null: the model's own.</summary>
    public string? Tokenizer { get; init; }
    /// <summary>Rolling log-likelihood windows advance by this many tokens (null: disjoint full-context windows).</summary>
    public int? RollingStride { get; init; }
    /// <summary>"auto" or sequences per forward pass (<see cref="Models.BatchSize"/>).</summary>
    public string BatchSize { get; init; } = "auto";
    /// <summary>Exact scoring options instead of <see cref="BatchSize"/>'s (benchmarks and tests of batching).</summary>
    public Engine.Scoring.ScoringOptions? Scoring { get; init; }
}
