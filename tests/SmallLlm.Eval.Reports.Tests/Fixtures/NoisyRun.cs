using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Reports.Tests.Fixtures;

/// <summary>A perplexity run as another engine or machine would give it: the same numbers up to float noise.</summary>
public static class NoisyRun
{
    /// <summary>
    /// A copy of the perplexity run with every per-document log-likelihood made worse by 1e-7 relative and every
    /// metric recomputed from them the way the task computes it (corpus Σ log p / Σ units): float noise in a
    /// consistent run, not a hand-edited number.
    /// </summary>
    public static string Copy(string result, string root, double relative)
    {
        string dir = Path.Combine(root, "stories260K");
        Directory.CreateDirectory(dir);
        string samples = Path.ChangeExtension(result, null) + ".samples.jsonl";
        double ll = 0, tokens = 0, words = 0, bytes = 0;
        var lines = new List<string>();
        foreach (string line in File.ReadLines(samples).Where(l => l.Length > 0))
        {
            var record = JsonNode.Parse(line)!.AsObject();
            double value = record["loglikelihood"]!.GetValue<double>() * (1 + relative);
            record["loglikelihood"] = value;
            ll += value; tokens += record["tokens"]!.GetValue<double>(); words += record["words"]!.GetValue<double>(); bytes += record["bytes"]!.GetValue<double>();
            lines.Add(record.ToJsonString());
        }
        File.WriteAllLines(Path.Combine(dir, Path.GetFileName(samples)), lines);
        var json = JsonNode.Parse(File.ReadAllText(result))!.AsObject();
        var metrics = json["metrics"]!.AsObject();
        var recomputed = new Dictionary<string, double>
        {
            ["word_perplexity"] = Math.Exp(-ll / words), ["token_perplexity"] = Math.Exp(-ll / tokens), ["byte_perplexity"] = Math.Exp(-ll / bytes),
            ["bits_per_byte"] = -ll / (bytes * Math.Log(2)), ["nll_per_token"] = -ll / tokens,
        };
        foreach (var (name, value) in recomputed)
            if (metrics[name] is JsonObject m) m["value"] = value;
        File.WriteAllText(Path.Combine(dir, Path.GetFileName(result)), json.ToJsonString());
        return Path.Combine(dir, Path.GetFileName(result));
    }

}
