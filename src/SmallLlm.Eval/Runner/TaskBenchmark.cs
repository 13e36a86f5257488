using System.Diagnostics;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Runner;

/// <summary>One row of the task benchmark: how fast a whole task runs, and how much of it is not the model.</summary>
public sealed record TaskBenchmarkResult(string Model, string DType, string Task, int? Shots, int Documents, int Requests,
    double WallSeconds, double EngineSeconds, long Tokens)
{
    public double DocumentsPerSecond => Documents / WallSeconds;
    public double TokensPerSecond => Tokens / WallSeconds;
    /// <summary>Share of the run spent outside the model's calls (planning, scoring, writing).</summary>
    public double OverheadShare => 1 - EngineSeconds / WallSeconds;
    /// <summary>Tokens the run computed (padding not counted; generation not counted) with few-shot prefix reuse, and what it would without.</summary>
    public long TokensWithReuse { get; init; }
    public long TokensWithoutReuse { get; init; }
    /// <summary>Groups of documents (MMLU subjects; 1 for ungrouped tasks): few-shot prefixes are shared within a group.</summary>
    public int Groups { get; init; } = 1;
    public double DocumentsPerGroup => (double)Documents / Math.Max(1, Groups);
}

/// <summary>
/// Runs tasks end to end (plan, tokenize, batch, forward, score, write) without the cache, on a real checkpoint or on a
/// random-weight model of a benchmark shape ("random:stories110M", with the Llama 2 tokenizer its vocabulary fits).
/// </summary>
public static class TaskBenchmark
{
    public static LocalLanguageModel LoadModel(string spec, ModelDType dtype, string batchSize = "auto")
    {
        if (ModelSpec.Parse(spec) is not ModelSpec.Random random) return LocalModelLoader.Load(spec, new LocalModelOptions { DType = dtype, BatchSize = batchSize });
        string shape = random.Shape;
        var model = new LlamaModel(RandomWeights.Create(random.Config, dtype));
        var tokenizer = TokenizerCatalog.Resolve("llama2");
        var identity = new ModelIdentity(spec, spec, "random", dtype.Name(), model.ParameterCount, tokenizer.Name, true, $"random:{shape}:{dtype.Name()}");
        return new LocalLanguageModel(model, tokenizer, identity, BatchSize.Parse(batchSize, model.ParameterCount));
    }

    public static TaskBenchmarkResult Run(LocalLanguageModel model, IEvalTask task, TaskSettings settings)
    {
        string output = Path.Combine(Path.GetTempPath(), "smalleval-bench", Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            var result = new EvalRunner(model, cache: null, _ => IProgressSink.None).Run(task, settings, output);
            double wall = clock.Elapsed.TotalSeconds;
            var count = TaskTokenCounter.Count(model, task, settings); // planned again, after the clock stopped
            return new TaskBenchmarkResult(model.Identity.Name, model.Identity.DType, task.Name, settings.NumFewshot,
                (int)result.Counts["documents"], (int)result.Counts["requests"], wall,
                result.Timing.ModelSeconds, result.Timing.Tokens)
            {
                TokensWithReuse = count.TokensWithReuse, TokensWithoutReuse = count.TokensWithoutReuse,
                Groups = task.Describe(settings).DocumentsPerGroup.Count,
            };
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
