using System.Diagnostics;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Benchmarks;

/// <summary>One row of the engine benchmark. Scoring tokens/s is the median over iterations (min and max beside it).</summary>
public sealed record EngineBenchmarkResult(
    string Shape, string DType, long Parameters, int Batch, int Length, int PassTokens,
    double ScoringTokensPerSecond, double Mfu, double MfuOfStatedPeak, double DecodeTokensPerSecond,
    long WeightBytes, long PeakBytes, double PeakOverWeights)
{
    public double ScoringTokensPerSecondMin { get; init; }
    public double ScoringTokensPerSecondMax { get; init; }
    /// <summary>Decode tokens/s summed over rows when 16 sequences generate together (batched KV cache).</summary>
    public double DecodeBatchTokensPerSecond { get; init; }
    public int DecodeBatch { get; init; }
    public int Threads { get; init; }
}

/// <summary>
/// Scoring throughput (batch × length tokens per pass, every position through the LM head) and KV-cached decode speed
/// on random-weight models of a given shape, with model-FLOPs utilisation against a measured matmul peak.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>Stated matmul peaks of the 2-core reference machine (GFLOP/s), for a second MFU column.</summary>
    public static double StatedPeakGflops(ModelDType d) => d == ModelDType.Float32 ? 170 : 390;

    public static IReadOnlyDictionary<string, LlamaConfig> Shapes { get; } = new Dictionary<string, LlamaConfig>
    {
        ["stories15M"] = RandomWeights.Stories(288, 6, 6),
        ["stories110M"] = RandomWeights.Stories(768, 12, 12),
        ["llama3.2-1B"] = RandomWeights.Llama32_1B(),
    };

    /// <summary>Measured GFLOP/s of a [2048 x 768] x [768 x 768] matmul in the given dtype, best of a few runs.</summary>
    public static double MeasureMatmulPeakGflops(ModelDType dtype, int repeats = 20)
    {
        var st = dtype.ToScalarType();
        using var a = torch.randn([2048, 768]).to(st);
        using var w = torch.randn([3072, 768]).to(st);
        double best = 0;
        for (int trial = 0; trial < 4; trial++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) nn.functional.linear(a, w).Dispose();
            best = Math.Max(best, repeats * 2.0 * 2048 * 768 * 3072 / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <param name="passTokens">Most tokens per forward pass: the batch is scored in passes of this size (bounds activation memory).</param>
    public static EngineBenchmarkResult Run(string shape, LlamaConfig config, ModelDType dtype, int batch, int length, int passTokens,
        int decodeTokens, int iterations, double peakGflops)
    {
        // Load libtorch's code and kernels first: the baseline must hold the runtime, so the peak measures the model's own use.
        using (var warm = torch.ones([64, 64], dtype: dtype.ToScalarType())) nn.functional.linear(warm, warm).Dispose();
        ProcessMemory.ResetPeak();
        long baseline = ProcessMemory.ResidentBytes;
        using var model = new LlamaModel(RandomWeights.Create(config, dtype));
        var scorer = new TokenScorer(model, new ScoringOptions { MaxBatchRows = batch, MaxBatchTokens = Math.Max(length, passTokens) });
        var rng = new Random(42);
        var requests = Enumerable.Range(0, batch)
            .Select(_ => Enumerable.Range(0, length + 1).Select(_ => rng.Next(config.VocabSize)).ToArray())
            .Select(seq => new ContinuationRequest(seq[..1], seq[1..])).ToList();
        scorer.Loglikelihood(requests); // warm-up
        var perIteration = new List<double>();
        for (int i = 0; i < Math.Max(1, iterations); i++)
        {
            var sw = Stopwatch.StartNew();
            scorer.Loglikelihood(requests);
            perIteration.Add(batch * length / sw.Elapsed.TotalSeconds);
        }
        perIteration.Sort();
        double scoringTps = perIteration.Count % 2 == 1 ? perIteration[perIteration.Count / 2]
            : (perIteration[perIteration.Count / 2 - 1] + perIteration[perIteration.Count / 2]) / 2;
        long peak = ProcessMemory.PeakResidentBytes - baseline;

        var generator = new TokenGenerator(model);
        var prompt = Enumerable.Range(0, 16).Select(_ => rng.Next(config.VocabSize)).ToArray();
        generator.Generate(prompt, new GenerationSettings { MaxNewTokens = 8 });
        var gen = generator.Generate(prompt, new GenerationSettings { MaxNewTokens = decodeTokens });
        double decodeTps = gen.Tokens.Length / gen.DecodeSeconds;
        // The same decode for 16 prompts at once: every row runs to the token limit (no stop token).
        const int decodeBatch = 16;
        var jobs = Enumerable.Range(0, decodeBatch)
            .Select(_ => ((IReadOnlyList<int>)Enumerable.Range(0, 16).Select(_ => rng.Next(config.VocabSize)).ToArray(),
                new GenerationSettings { MaxNewTokens = decodeTokens })).ToList();
        var batched = new BatchedGenerator(model, decodeBatch).Generate(jobs);
        double decodeBatchTps = batched.Sum(g => g.Tokens.Length) / batched.Max(g => g.DecodeSeconds);

        double flops = ModelStatistics.FlopsPerTokenScoring(config, length);
        return new EngineBenchmarkResult(shape, dtype.Name(), model.ParameterCount, batch, length, Math.Max(length, passTokens), scoringTps,
            scoringTps * flops / (peakGflops * 1e9), scoringTps * flops / (StatedPeakGflops(dtype) * 1e9), decodeTps,
            model.WeightBytes, peak, (double)peak / model.WeightBytes)
        {
            ScoringTokensPerSecondMin = perIteration[0], ScoringTokensPerSecondMax = perIteration[^1],
            DecodeBatchTokensPerSecond = decodeBatchTps, DecodeBatch = decodeBatch, Threads = torch.get_num_threads(),
        };
    }
}
