using System.Text;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// lm-eval's exact_match (lm_eval/api/metrics.py <c>exact_match_hf_evaluate</c>, from Hugging Face evaluate) on one
/// prediction and its reference: each of <c>regexes_to_ignore</c> removed from both in order (re.sub), then
/// lower-cased (Python's str.lower), then ASCII punctuation (string.punctuation) and ASCII digits removed, as
/// configured; equal strings score 1. numpy keeps strings without trailing NULs, so those are dropped too.
/// </summary>
public sealed class ExactMatch(IReadOnlyList<PythonRegex> regexesToIgnore, bool ignoreCase, bool ignorePunctuation, bool ignoreNumbers)
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static ExactMatch Default { get; } = new([], false, false, false);

    /// <summary>The settings, as the results echo them.</summary>
    public IReadOnlyDictionary<string, object?> Settings => new Dictionary<string, object?>
    {
        ["ignore_case"] = ignoreCase, ["ignore_punctuation"] = ignorePunctuation, ["ignore_numbers"] = ignoreNumbers,
        ["regexes_to_ignore"] = regexesToIgnore.Select(r => r.Pattern).ToList(),
    };

    public bool Matches(string prediction, string reference) => Normalize(prediction) == Normalize(reference);

    public string Normalize(string s)
    {
        s = s.TrimEnd('\0');
        foreach (var r in regexesToIgnore) s = r.RemoveAll(s).TrimEnd('\0');
        if (ignoreCase) s = PythonText.Lower(s);
        if (ignorePunctuation) s = Remove(s, c => Punctuation.Contains(c, StringComparison.Ordinal));
        if (ignoreNumbers) s = Remove(s, char.IsAsciiDigit);
        return s;
    }

    private static string Remove(string s, Func<char, bool> drop)
    {
        var o = new StringBuilder(s.Length);
        foreach (char c in s) if (!drop(c)) o.Append(c);
        return o.ToString();
    }

    /// <summary>The "metric_list" field: exact_match only (lm-eval's other generation metrics are not implemented), its options checked.</summary>
    public static ExactMatch ReadList(JsonNode? node, string where)
    {
        if (node is null) return Default;
        if (node is not JsonArray list || list.Count != 1)
            throw new InvalidDataException($"{where}: field 'metric_list' must be an array with one entry, {{\"metric\": \"exact_match\", ...}}");
        string at = $"{where}: metric_list[0]";
        if (list[0] is not JsonObject o) throw new InvalidDataException($"{at}: expected an object");
        string known = "metric, aggregation, higher_is_better, ignore_case, ignore_punctuation, ignore_numbers, regexes_to_ignore";
        foreach (var (key, _) in o)
            if (!known.Split(", ").Contains(key)) throw new InvalidDataException($"{at}: unknown field '{key}' ({known})");
        if (TaskJson.String(o, "metric", at) is not "exact_match")
            throw new InvalidDataException($"{at}: field 'metric' must be \"exact_match\" (the one generation metric implemented), got {o["metric"]?.ToJsonString() ?? "nothing"}");
        if (TaskJson.String(o, "aggregation", at) is not (null or "mean")) throw new InvalidDataException($"{at}: field 'aggregation' must be \"mean\"");
        if (!TaskJson.Bool(o, "higher_is_better", at, true)) throw new InvalidDataException($"{at}: field 'higher_is_better' must be true for exact_match");
        var regexes = new List<PythonRegex>();
        if (o["regexes_to_ignore"] is JsonNode r)
        {
            if (r is not JsonArray patterns) throw new InvalidDataException($"{at}: field 'regexes_to_ignore' must be an array of strings");
            for (int i = 0; i < patterns.Count; i++)
            {
                string pattern = patterns[i] is JsonValue v && v.TryGetValue(out string? s) ? s
                    : throw new InvalidDataException($"{at}: regexes_to_ignore[{i}] must be a string");
                try { regexes.Add(new PythonRegex(pattern)); }
                catch (FormatException e) { throw new InvalidDataException($"{at}: regexes_to_ignore[{i}] {TaskJson.Quote(pattern)}: {e.Message}"); }
            }
        }
        return new ExactMatch(regexes, TaskJson.Bool(o, "ignore_case", at, false), TaskJson.Bool(o, "ignore_punctuation", at, false),
            TaskJson.Bool(o, "ignore_numbers", at, false));
    }
}
