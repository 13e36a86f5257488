namespace SmallLlm.Eval.Engine.Training;

/// <summary>One line of train_log.jsonl: the step just taken (1-based), tokens seen so far, its loss before the update.</summary>
public sealed record TrainingStep(int Step, long Tokens, double Loss, double LearningRate, double GradNorm, double TokensPerSecond, double Mfu);

/// <summary>The loss (or gradient norm) of a step is NaN or infinite: training stops there, before the update.</summary>
public sealed class TrainingDivergedException(int step, string what, double value)
    : Exception($"step {step}: {what} is {value} (not finite): training stopped before updating the weights")
{
    public int Step { get; } = step;
}
