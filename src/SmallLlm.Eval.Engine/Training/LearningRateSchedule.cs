namespace SmallLlm.Eval.Engine.Training;

public enum ScheduleKind
{
    Constant,
    Cosine,
    /// <summary>Warmup-stable-decay: the peak rate until the last <see cref="LearningRateSchedule.DecayFraction"/> of the steps, then linear to the minimum.</summary>
    Wsd,
}

/// <summary>
/// The learning rate of step s (0-based) of <see cref="TotalSteps"/>: linear warmup lr·(s+1)/(warmup+1) for s &lt; warmup
/// (nanoGPT), then constant; cosine from lr to min-lr over the remaining steps, min-lr + ½(1 + cos(π·r))(lr − min-lr)
/// with r = (s − warmup)/(steps − warmup) (nanoGPT); or WSD, flat at lr then linear to min-lr over the final
/// <see cref="DecayFraction"/> of the steps.
/// </summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double Peak, double Minimum, int WarmupSteps, int TotalSteps)
{
    public const double DecayFraction = 0.2;

    public static ScheduleKind Parse(string text) => text.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "wsd" => ScheduleKind.Wsd,
        _ => throw new ArgumentException($"--schedule '{text}': expected constant, cosine or wsd"),
    };

    public double At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / (WarmupSteps + 1);
        switch (Kind)
        {
            case ScheduleKind.Cosine:
                {
                    double ratio = TotalSteps <= WarmupSteps ? 1 : Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
                    return Minimum + 0.5 * (1 + Math.Cos(Math.PI * ratio)) * (Peak - Minimum);
                }
            case ScheduleKind.Wsd:
                {
                    int decaySteps = Math.Max(1, (int)Math.Round(TotalSteps * DecayFraction));
                    int decayStart = Math.Max(WarmupSteps, TotalSteps - decaySteps);
                    if (step < decayStart) return Peak;
                    double ratio = Math.Min(1.0, (double)(step - decayStart + 1) / (TotalSteps - decayStart));
                    return Peak + ratio * (Minimum - Peak);
                }
            default:
                return Peak;
        }
    }
}
