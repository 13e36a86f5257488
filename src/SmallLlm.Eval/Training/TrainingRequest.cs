using SmallLlm.Eval.Engine.Training;

namespace SmallLlm.Eval.Training;

/// <summary>Everything `smalleval train` was asked, after parsing (see TrainCommand for each option's meaning).</summary>
public sealed record TrainingRequest
{
    public string? Shape { get; init; }
    public string? ConfigPath { get; init; }
    public string? Init { get; init; }
    public string? Tokenizer { get; init; }
    public int? Vocab { get; init; }
    public required string Data { get; init; }
    public DataOrder Order { get; init; } = DataOrder.Sequential;
    public long Seed { get; init; } = 1337;
    public double LearningRate { get; init; } = 5e-4;
    public double? MinLearningRate { get; init; }
    public int Warmup { get; init; }
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Eps { get; init; } = 1e-8;
    public double Clip { get; init; } = 1.0;
    public int Batch { get; init; } = 8;
    public int Sequence { get; init; } = 256;
    public int? Steps { get; init; }
    public long? Tokens { get; init; }
    public int GradAccum { get; init; } = 1;
    public int SaveEvery { get; init; }
    public required string Output { get; init; }
    public bool Force { get; init; }
    public bool Resume { get; init; }
    /// <summary>The command line as given, saved so that --resume repeats exactly this run.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
