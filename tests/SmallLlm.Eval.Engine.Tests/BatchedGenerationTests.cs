using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Generation;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Batched generation gives each row exactly what generating it alone gives, on the real stories260K.</summary>
public class BatchedGenerationTests
{
    private static List<(IReadOnlyList<int> Prompt, GenerationSettings Settings)> Jobs(double temperature)
    {
        var rng = new Random(5);
        int[] Prompt(int n) => [1, .. Enumerable.Range(0, n - 1).Select(_ => rng.Next(3, 512))];
        var jobs = new List<(IReadOnlyList<int>, GenerationSettings)>();
        int[] lengths = [1, 3, 17, 40, 8, 25, 2, 500];
        for (int i = 0; i < lengths.Length; i++)
        {
            var settings = new GenerationSettings
            {
                MaxNewTokens = 12 + 5 * i, Temperature = temperature, TopP = i % 2 == 0 ? 1.0 : 0.9, Seed = (ulong)(100 + i),
                StopTokens = new HashSet<int> { 2 },
                // Row 3 stops at its first full stop (token 46 is "." in tok512): a text-level stop condition.
                ShouldStop = i == 3 ? generated => generated[^1] == 46 : null,
            };
            jobs.Add((Prompt(lengths[i]), settings));
        }
        return jobs;
    }

    [Theory]
    [InlineData(0.0, 16)]
    [InlineData(0.0, 3)]
    [InlineData(0.8, 16)]
    public void Every_row_matches_unbatched_generation(double temperature, int maxBatch)
    {
        using var model = new LlamaModel(CheckpointLoader.Load("stories260K", ModelDType.Float32));
        var jobs = Jobs(temperature);
        var batched = new BatchedGenerator(model, maxBatch).Generate(jobs);
        var single = new TokenGenerator(model);
        var finishes = new HashSet<FinishReason>();
        for (int i = 0; i < jobs.Count; i++)
        {
            var alone = single.Generate(jobs[i].Prompt, jobs[i].Settings);
            Assert.True(alone.Tokens.SequenceEqual(batched[i].Tokens),
                $"row {i}: alone [{string.Join(",", alone.Tokens)}] ({alone.Finish}), batched [{string.Join(",", batched[i].Tokens)}] ({batched[i].Finish})");
            Assert.Equal(alone.Finish, batched[i].Finish);
            finishes.Add(alone.Finish);
        }
        // Rows end for different reasons (max tokens, context full at 512, ...), so dropped rows are exercised.
        Assert.Contains(FinishReason.MaxTokens, finishes);
        Assert.Contains(FinishReason.ContextFull, finishes);
    }
}
