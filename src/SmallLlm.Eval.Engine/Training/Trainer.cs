using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>What a run does each step: the rows, the schedule, the clipping, and how often it saves.</summary>
public sealed record TrainingPlan(int Steps, int MicroBatch, int GradAccum, LearningRateSchedule Schedule, double Clip, int SaveEvery);

/// <summary>Steps 1..<see cref="Steps"/> were taken; <see cref="Interrupted"/> when a cancellation stopped the run early.</summary>
public sealed record TrainingOutcome(int Steps, long Tokens, bool Interrupted);

/// <summary>
/// The training loop: for each step, grad-accum micro-batches of rows (each loss divided by grad-accum, gradients
/// summed), global-norm clipping, AdamW at the schedule's rate; a non-finite loss or gradient norm stops the run
/// before the update. Checkpoints are taken through <c>save</c> every <see cref="TrainingPlan.SaveEvery"/> steps and when a
/// cancellation is seen at a step boundary.
/// </summary>
public static class Trainer
{
    public static TrainingOutcome Run(TrainableLlama model, AdamW optimizer, TrainingBatches batches, TrainingPlan plan,
        TrainingCheckpoint.State start, Action<TrainingStep> onStep, Action<TrainingCheckpoint.State> save,
        double peakGflops, CancellationToken cancel)
    {
        if (plan.MicroBatch * plan.GradAccum != batches.RowsPerStep)
            throw new ArgumentException($"batches give {batches.RowsPerStep} rows per step, the plan {plan.MicroBatch} x {plan.GradAccum}");
        var parameters = model.Parameters.Select(p => p.Parameter).ToList();
        long tokensPerStep = (long)batches.RowsPerStep * batches.Sequence;
        var state = start;
        for (int s = start.Step; s < plan.Steps; s++)
        {
            if (cancel.IsCancellationRequested)
            {
                save(state);
                return new TrainingOutcome(state.Step, state.Tokens, Interrupted: true);
            }
            var clock = Stopwatch.StartNew();
            foreach (var p in parameters) p.grad?.zero_();
            double loss = 0;
            for (int m = 0; m < plan.GradAccum; m++)
            {
                using var scope = torch.NewDisposeScope();
                var rows = torch.tensor(batches.Rows(s, m * plan.MicroBatch, plan.MicroBatch));
                var micro = model.Loss(rows);
                double value = micro.to(ScalarType.Float64).item<double>();
                if (!double.IsFinite(value)) throw new TrainingDivergedException(s + 1, "the loss", value);
                loss += value / plan.GradAccum;
                (micro / plan.GradAccum).backward();
            }
            double gradNorm = GradientClipping.ClipTotalNorm(parameters, plan.Clip);
            if (!double.IsFinite(gradNorm)) throw new TrainingDivergedException(s + 1, "the gradient norm", gradNorm);
            double lr = plan.Schedule.At(s);
            optimizer.Update(lr);
            double seconds = clock.Elapsed.TotalSeconds;
            state = new TrainingCheckpoint.State(s + 1, state.Tokens + tokensPerStep);
            double tokensPerSecond = tokensPerStep / seconds;
            double mfu = 6.0 * model.ParameterCount * tokensPerSecond / (peakGflops * 1e9);
            onStep(new TrainingStep(state.Step, state.Tokens, loss, lr, gradNorm, tokensPerSecond, mfu));
            if (plan.SaveEvery > 0 && state.Step % plan.SaveEvery == 0 && state.Step < plan.Steps) save(state);
        }
        return new TrainingOutcome(state.Step, state.Tokens, Interrupted: false);
    }
}
