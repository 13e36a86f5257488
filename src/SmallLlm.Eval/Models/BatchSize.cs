using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.Models;

/// <summary>"auto" or a number of sequences per forward pass, turned into scoring options.</summary>
public static class BatchSize
{
    public static ScoringOptions Parse(string text, long parameters)
    {
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Small models are bound by per-pass overhead: pack more tokens. Large ones by activation memory.
            int tokens = parameters < 20_000_000 ? 16384 : 512;
            return new ScoringOptions { MaxBatchRows = Math.Max(8, tokens / 128), MaxBatchTokens = tokens };
        }
        int rows = int.Parse(Configuration.SettingRules.BatchSize(text, "--batch-size"), System.Globalization.CultureInfo.InvariantCulture);
        return new ScoringOptions { MaxBatchRows = rows, MaxBatchTokens = rows * 1024 };
    }
}
