using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.Reports.Sweeps;

/// <summary>
/// Finds the checkpoints of a training run under a folder (sub-folders or checkpoint files) and orders them by step:
/// from <c>trainer_state.json</c> (Hugging Face Trainer: global_step, num_input_tokens_seen) or <c>metadata.json</c>
/// (step, tokens) when a checkpoint folder has one, else from the number in its name (checkpoint-500, step_1000,
/// ckpt3000.bin). Names sort "step-1000" before "step-200", which is why the step is parsed and not the name sorted.
/// </summary>
public static partial class CheckpointSeries
{
    private static readonly string[] CheckpointExtensions = [".bin", ".safetensors", ".pt", ".gguf"];

    public static IReadOnlyList<SweepCheckpoint> Find(string dir, long? tokensPerStep = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"checkpoints folder '{dir}' not found");
        if (tokensPerStep is <= 0) throw new ArgumentException("--tokens-per-step must be positive");
        var candidates = Directory.GetDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Concat(Directory.GetFiles(dir).Where(f => CheckpointExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())))
            .Order(StringComparer.Ordinal).ToList();
        if (candidates.Count == 0) throw new InvalidDataException($"checkpoints folder '{dir}' holds no checkpoint (sub-folders or {string.Join("/", CheckpointExtensions)} files)");
        var found = new List<SweepCheckpoint>();
        var unnumbered = new List<string>();
        foreach (string path in candidates)
        {
            string name = Path.GetFileName(path);
            var (step, tokens, source) = Directory.Exists(path) ? FromMetadata(path) : (null, null, "");
            if (step is null && NameStep(name) is long fromName) (step, source) = (fromName, "name");
            if (step is null) { unnumbered.Add(name); continue; }
            tokens ??= tokensPerStep * step;
            found.Add(new SweepCheckpoint(name, path, step.Value, tokens, source));
        }
        if (unnumbered.Count > 0)
            throw new InvalidDataException($"cannot order checkpoints: no step number in the name and no trainer_state.json/metadata.json for {string.Join(", ", unnumbered)} (under {dir})");
        var duplicate = found.GroupBy(c => c.Step).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"checkpoints {string.Join(" and ", duplicate.Select(c => c.Name))} both have step {duplicate.Key}");
        return found.OrderBy(c => c.Step).ToList();
    }

    /// <summary>The step in a name: the number after step/checkpoint/ckpt/iter, else the last number in it.</summary>
    public static long? NameStep(string name)
    {
        string stem = Path.GetFileNameWithoutExtension(name) is { Length: > 0 } s && CheckpointExtensions.Contains(Path.GetExtension(name).ToLowerInvariant()) ? s : name;
        var tagged = TaggedStep().Match(stem);
        if (tagged.Success) return long.Parse(tagged.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var all = AnyNumber().Matches(stem);
        return all.Count > 0 ? long.Parse(all[^1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static (long? Step, long? Tokens, string Source) FromMetadata(string folder)
    {
        foreach (var (file, stepKey, tokensKey) in new[] { ("trainer_state.json", "global_step", "num_input_tokens_seen"), ("metadata.json", "step", "tokens") })
        {
            string path = Path.Combine(folder, file);
            if (!File.Exists(path)) continue;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(stepKey, out var s) || s.ValueKind != JsonValueKind.Number) continue;
                long? tokens = root.TryGetProperty(tokensKey, out var t) && t.ValueKind == JsonValueKind.Number && t.GetInt64() > 0 ? t.GetInt64() : null;
                return (s.GetInt64(), tokens, file);
            }
            catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        }
        return (null, null, "");
    }

    [GeneratedRegex(@"(?:step|checkpoint|ckpt|iter|iteration)[-_]?(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex TaggedStep();

    [GeneratedRegex(@"\d+")]
    private static partial Regex AnyNumber();
}
