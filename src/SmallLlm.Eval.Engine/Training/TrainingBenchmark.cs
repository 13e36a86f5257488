using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>Training throughput of one shape: median tokens/s of full steps (forward, backward, clipping, AdamW) and its MFU.</summary>
public sealed record TrainingBenchmarkResult(string Shape, long Parameters, int Batch, int Sequence, int Steps, int Threads,
    double TokensPerSecond, double TokensPerSecondMin, double TokensPerSecondMax, double PeakGflops)
{
    /// <summary>6·N FLOPs per token (forward 2N, backward 4N) over the measured matmul peak, as nanoGPT and the PaLM paper count.</summary>
    public double Mfu => 6.0 * Parameters * TokensPerSecond / (PeakGflops * 1e9);
}

public static class TrainingBenchmark
{
    /// <summary>Trains a freshly initialized <paramref name="config"/> on random tokens: one warm-up step, then <paramref name="steps"/> timed steps.</summary>
    public static TrainingBenchmarkResult Run(string shape, LlamaConfig config, int batch, int sequence, int steps, double peakGflops)
    {
        using var model = new TrainableLlama(config, TrainingInitialization.Create(config, seed: 1));
        using var optimizer = new AdamW(model.Parameters);
        var parameters = model.Parameters.Select(p => p.Parameter).ToList();
        using var generator = new Generator(2);
        var rates = new List<double>();
        for (int s = 0; s <= steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            var rows = torch.randint(config.VocabSize, [batch, sequence + 1], dtype: ScalarType.Int64, generator: generator);
            var clock = Stopwatch.StartNew();
            foreach (var p in parameters) p.grad?.zero_();
            model.Loss(rows).backward();
            GradientClipping.ClipTotalNorm(parameters, 1.0);
            optimizer.Update(1e-4);
            if (s > 0) rates.Add((double)batch * sequence / clock.Elapsed.TotalSeconds);
        }
        rates.Sort();
        return new TrainingBenchmarkResult(shape, model.ParameterCount, batch, sequence, steps, torch.get_num_threads(),
            rates[rates.Count / 2], rates[0], rates[^1], peakGflops);
    }
}
