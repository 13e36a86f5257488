using System.Diagnostics;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>
/// The built-in engine's benchmark on llama.cpp: the same random-weight shape written as a GGUF (f32 or bf16, or
/// quantized by llama.cpp), the same scoring (batch × length, every position) and decode measurements.
/// </summary>
public static class LlamaCppBenchmark
{
    /// <param name="type">f32, bf16, or a quantization type of <see cref="GgufQuantizer.Types"/>.</param>
    public static EngineBenchmarkResult Run(string shape, LlamaConfig config, string type, int batch, int length, int decodeTokens,
        int iterations, double peakGflops, string workDir)
    {
        Directory.CreateDirectory(workDir);
        string f32 = Path.Combine(workDir, $"{shape}-f32.gguf");
        if (!File.Exists(f32))
            using (var weights = RandomWeights.Create(config, ModelDType.Float32))
                GgufCheckpointWriter.Write(weights, SyntheticVocabulary(config.VocabSize), f32, GgmlType.F32, shape);
        string path = type switch
        {
            "f32" => f32,
            "bf16" or "f16" => Path.Combine(workDir, $"{shape}-{type}.gguf"),
            _ => Path.Combine(workDir, $"{shape}-{type}.gguf"),
        };
        if (!File.Exists(path))
        {
            if (type is "bf16" or "f16")
                using (var weights = RandomWeights.Create(config, ModelDType.Float32))
                    GgufCheckpointWriter.Write(weights, SyntheticVocabulary(config.VocabSize), path, GgufCheckpointWriter.ParseType(type), shape);
            else GgufQuantizer.Quantize(f32, path, type);
        }
        ProcessMemory.ResetPeak();
        long baseline = ProcessMemory.ResidentBytes;
        using var model = LlamaCppModel.Load(path, new LlamaCppOptions { MaxSequences = batch, BatchTokens = Math.Max(length, 512) });
        var rng = new Random(42);
        var requests = Enumerable.Range(0, batch)
            .Select(_ => Enumerable.Range(0, length + 1).Select(_ => rng.Next(config.VocabSize)).ToArray())
            .Select(seq => new ContinuationRequest(seq[..1], seq[1..])).ToList();
        model.Loglikelihood(requests); // warm-up
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) model.Loglikelihood(requests);
        double scoringTps = (double)iterations * batch * length / sw.Elapsed.TotalSeconds;
        long peak = ProcessMemory.PeakResidentBytes - baseline;
        var prompt = Enumerable.Range(0, 16).Select(_ => rng.Next(config.VocabSize)).ToArray();
        model.Generate(prompt, new GenerationSettings { MaxNewTokens = 8 });
        var gen = model.Generate(prompt, new GenerationSettings { MaxNewTokens = decodeTokens });
        double decodeTps = gen.Tokens.Length / gen.DecodeSeconds;
        double flops = ModelStatistics.FlopsPerTokenScoring(config, length);
        long weightBytes = GgufFile.Read(path).Tensors.Sum(t => t.Bytes);
        return new EngineBenchmarkResult(shape, type, model.Parameters, batch, length, Math.Max(length, 512), scoringTps,
            scoringTps * flops / (peakGflops * 1e9), 0, decodeTps, weightBytes, peak, (double)peak / weightBytes);
    }

    /// <summary>A SentencePiece-style vocabulary of <paramref name="size"/> made-up pieces: benchmarks feed random ids, never text.</summary>
    private static GgufVocabulary SyntheticVocabulary(int size)
    {
        var tokens = new string[size];
        var types = new int[size];
        var scores = new float[size];
        for (int i = 0; i < size; i++)
        {
            (tokens[i], types[i]) = i switch
            {
                0 => ("<unk>", 2), 1 => ("<s>", 3), 2 => ("</s>", 3),
                < 259 => ($"<0x{i - 3:X2}>", 6),
                _ => ($"\u2581t{i}", 1),
            };
            scores[i] = -i;
        }
        return new GgufVocabulary("llama", tokens, types, scores, null, 1, 2, 0, AddBos: true);
    }
}
