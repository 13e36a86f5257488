namespace SmallLlm.Eval.Reports.Sweeps;

/// <summary>One checkpoint of a training run: where it is, its step, the tokens it had seen (when known) and where the step came from.</summary>
public sealed record SweepCheckpoint(string Name, string Path, long Step, long? Tokens, string StepSource);
