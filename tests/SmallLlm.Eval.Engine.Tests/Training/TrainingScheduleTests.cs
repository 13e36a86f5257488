using SmallLlm.Eval.Engine.Training;

namespace SmallLlm.Eval.Engine.Tests.Training;

/// <summary>Data offsets and learning rates, against the formulas the issue and nanoGPT state, computed here by hand.</summary>
public class TrainingScheduleTests
{
    [Fact]
    public void Sequential_offsets_follow_the_stated_formula()
    {
        var stream = Enumerable.Range(0, 100).ToArray();
        var batches = new TrainingBatches(stream, rowsPerStep: 3, sequence: 10, DataOrder.Sequential, seed: 0);
        // o = ((s*B + r)*L) mod (len - L - 1) = ((s*3 + r)*10) mod 89
        Assert.Equal([0L, 10, 20], batches.Offsets(0));
        Assert.Equal([(3 * 3 + 0) * 10 % 89L, (3 * 3 + 1) * 10 % 89L, (3 * 3 + 2) * 10 % 89L], batches.Offsets(3));
        var rows = batches.Rows(3, 1, 1);
        Assert.Equal(11, rows.GetLength(1));
        Assert.Equal(100 % 89, rows[0, 0]); // stream[i] == i
    }

    [Fact]
    public void Shuffled_offsets_are_fixed_by_seed_and_step_and_stay_in_range()
    {
        var stream = new int[1000];
        var a = new TrainingBatches(stream, 64, 16, DataOrder.Shuffled, seed: 5);
        var b = new TrainingBatches(stream, 64, 16, DataOrder.Shuffled, seed: 5);
        var c = new TrainingBatches(stream, 64, 16, DataOrder.Shuffled, seed: 6);
        Assert.Equal(a.Offsets(7), b.Offsets(7));
        Assert.NotEqual(a.Offsets(7), c.Offsets(7));
        Assert.NotEqual(a.Offsets(7), a.Offsets(8));
        Assert.All(a.Offsets(3), o => Assert.InRange(o, 0, 1000 - 16 - 2));
    }

    [Fact]
    public void Data_smaller_than_one_row_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingBatches(new int[11], 1, 10, DataOrder.Sequential, 0));
        Assert.Contains("smaller than one row", e.Message);
    }

    [Fact]
    public void Warmup_then_cosine_reaches_the_minimum_at_the_last_step()
    {
        var s = new LearningRateSchedule(ScheduleKind.Cosine, 1e-3, 1e-4, WarmupSteps: 4, TotalSteps: 14);
        Assert.Equal(1e-3 * 1 / 5, s.At(0), 15);
        Assert.Equal(1e-3 * 4 / 5, s.At(3), 15);
        Assert.Equal(1e-3, s.At(4), 15);
        Assert.Equal(1e-4 + 0.5 * (1 + Math.Cos(Math.PI * 0.5)) * 9e-4, s.At(9), 15);
        Assert.Equal(1e-4, s.At(14), 15);
    }

    [Fact]
    public void Wsd_stays_at_the_peak_then_decays_linearly_over_the_last_fifth()
    {
        var s = new LearningRateSchedule(ScheduleKind.Wsd, 1.0, 0.0, WarmupSteps: 0, TotalSteps: 10);
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(1.0, s.At(i)));
        Assert.Equal(0.5, s.At(8), 12);
        Assert.Equal(0.0, s.At(9), 12);
        Assert.Equal(1.0, new LearningRateSchedule(ScheduleKind.Constant, 1.0, 0.0, 0, 10).At(9));
    }
}
