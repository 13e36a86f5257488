using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// Named model shapes to train from scratch: llama2.c's tinyllamas (stories260K, stories15M, stories110M), with the
/// vocabulary taken from the tokenizer the run uses (<c>--vocab</c> overrides it).
/// </summary>
public static class TrainingShapes
{
    public static IReadOnlyList<string> Names { get; } = ["stories260K", "stories15M", "stories110M"];

    /// <summary>The shape named <paramref name="name"/> with <paramref name="vocab"/> ids and BOS/EOS ids from the tokenizer.</summary>
    public static LlamaConfig Get(string name, int vocab, int? bos, int? eos)
    {
        var shape = name.ToLowerInvariant() switch
        {
            // karpathy/tinyllamas stories260K: dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, 512 positions.
            "stories260k" => RandomWeights.Stories(64, 5, 8, vocab, 512) with { IntermediateSize = 172, NumKeyValueHeads = 4 },
            // stories15M: dim 288, 6 layers, 6 heads, 256 positions; stories110M: dim 768, 12 layers, 12 heads, 1024 positions.
            "stories15m" => RandomWeights.Stories(288, 6, 6, vocab, 256),
            "stories110m" => RandomWeights.Stories(768, 12, 12, vocab, 1024),
            _ => throw new ArgumentException($"--shape '{name}' is not a known shape ({string.Join(", ", Names)}); use --config config.json for any other"),
        };
        return (shape with { VocabSize = vocab, BosTokenId = bos, EosTokenId = eos }).Validated($"--shape {name}");
    }
}
