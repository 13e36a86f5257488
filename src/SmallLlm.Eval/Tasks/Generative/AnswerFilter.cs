using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// One named entry of a task's <c>filter_list</c>: a pipeline of lm-eval filter functions that turns a document's
/// generations (one per repeat) into the one answer exact_match scores. Steps and their semantics are
/// lm_eval/filters: <c>regex</c> (extraction.py RegexFilter), <c>remove_whitespace</c> (one leading space),
/// <c>take_first</c> and <c>majority_vote</c> (selection.py), <c>lowercase</c>, <c>uppercase</c>, <c>map</c>
/// (transformation.py); <c>strip</c> is ours (Python's str.strip() of each answer: lm-eval has no core "strip").
/// A pipeline must end with take_first: lm-eval scores a single answer, and steps after take_first would see
/// characters, not answers.
/// </summary>
public sealed class AnswerFilter
{
    public string Name { get; }
    private readonly IReadOnlyList<FilterStep> _steps;

    private AnswerFilter(string name, IReadOnlyList<FilterStep> steps)
    {
        Name = name;
        _steps = steps;
    }

    /// <summary>lm-eval's filter when a task has no filter_list: "none", take_first.</summary>
    public static AnswerFilter None { get; } = new("none", [new TakeFirst()]);

    /// <summary>The answer of one document's generations (one per repeat).</summary>
    public string Apply(IReadOnlyList<string> generations)
    {
        IReadOnlyList<string> answers = generations;
        foreach (var step in _steps) answers = step.Apply(answers);
        return answers[0];
    }

    /// <summary>The "filter_list" field: errors name the file, the entry and its field.</summary>
    public static IReadOnlyList<AnswerFilter> ReadList(JsonNode? node, string where)
    {
        if (node is null) return [None];
        if (node is not JsonArray list || list.Count == 0) throw new InvalidDataException($"{where}: field 'filter_list' must be a non-empty array of {{\"name\", \"filter\": [...]}}");
        var filters = new List<AnswerFilter>();
        for (int i = 0; i < list.Count; i++)
        {
            string at = $"{where}: filter_list[{i}]";
            if (list[i] is not JsonObject entry) throw new InvalidDataException($"{at}: expected an object with \"name\" and \"filter\"");
            foreach (var (key, _) in entry)
                if (key is not ("name" or "filter")) throw new InvalidDataException($"{at}: unknown field '{key}' (name, filter)");
            string name = TaskJson.String(entry, "name", at) ?? throw new InvalidDataException($"{at}: missing field 'name'");
            if (filters.Any(f => f.Name == name)) throw new InvalidDataException($"{at}: filter name '{name}' is used twice");
            if (entry["filter"] is not JsonArray steps || steps.Count == 0) throw new InvalidDataException($"{at}: field 'filter' must be a non-empty array of {{\"function\": ...}}");
            var parsed = steps.Select((s, j) => FilterStep.Read(s, $"{at}.filter[{j}]")).ToList();
            int first = parsed.FindIndex(s => s is TakeFirst);
            if (first < 0 || first != parsed.Count - 1)
                throw new InvalidDataException($"{at}: the filter must end with take_first (and have nothing after it): lm-eval scores one answer per document");
            filters.Add(new AnswerFilter(name, parsed));
        }
        return filters;
    }
}

/// <summary>One lm-eval filter function over a document's list of answers.</summary>
internal abstract class FilterStep
{
    public abstract IReadOnlyList<string> Apply(IReadOnlyList<string> answers);

    public static FilterStep Read(JsonNode? node, string at)
    {
        if (node is not JsonObject o) throw new InvalidDataException($"{at}: expected an object with \"function\"");
        string function = TaskJson.String(o, "function", at) ?? throw new InvalidDataException($"{at}: missing field 'function'");
        string[] allowed = function switch
        {
            "regex" => ["regex_pattern", "group_select", "fallback"],
            "map" => ["mapping_dict", "default_value"],
            "take_first" or "majority_vote" or "lowercase" or "uppercase" or "strip" or "remove_whitespace" => [],
            _ => throw new InvalidDataException($"{at}: unknown filter function '{function}' (known: regex, take_first, majority_vote, lowercase, uppercase, strip, remove_whitespace, map)"),
        };
        foreach (var (key, _) in o)
            if (key != "function" && !allowed.Contains(key))
                throw new InvalidDataException($"{at}: unknown field '{key}' for filter '{function}'" + (allowed.Length > 0 ? $" ({string.Join(", ", allowed)})" : " (it takes none)"));
        return function switch
        {
            "regex" => RegexStep.Read(o, at),
            "map" => MapStep.Read(o, at),
            "take_first" => new TakeFirst(),
            "majority_vote" => new MajorityVote(),
            "lowercase" => new PerAnswer(PythonText.Lower),
            "uppercase" => new PerAnswer(PythonText.Upper),
            "strip" => new PerAnswer(PythonText.Strip),
            _ => new PerAnswer(a => a.StartsWith(' ') ? a[1..] : a), // remove_whitespace: one leading space, as lm-eval's WhitespaceFilter
        };
    }
}

internal sealed class TakeFirst : FilterStep
{
    public override IReadOnlyList<string> Apply(IReadOnlyList<string> answers) => [answers[0]];
}

/// <summary>Counter(answers).most_common(1): the most frequent answer, the first seen among ties.</summary>
internal sealed class MajorityVote : FilterStep
{
    public override IReadOnlyList<string> Apply(IReadOnlyList<string> answers)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var a in answers)
        {
            if (!counts.TryGetValue(a, out int n)) order.Add(a);
            counts[a] = n + 1;
        }
        int best = counts.Values.Max();
        return [order.First(a => counts[a] == best)];
    }
}

internal sealed class PerAnswer(Func<string, string> transform) : FilterStep
{
    public override IReadOnlyList<string> Apply(IReadOnlyList<string> answers) => answers.Select(transform).ToList();
}

/// <summary>lm-eval's RegexFilter: findall, the group_select-th match (negative counts from the end), the first
/// non-empty group of a tuple, stripped; the fallback when nothing matches.</summary>
internal sealed class RegexStep(PythonRegex regex, int groupSelect, string fallback) : FilterStep
{
    public static RegexStep Read(JsonObject o, string at)
    {
        string pattern = TaskJson.String(o, "regex_pattern", at) ?? @"#### (\-?[0-9\.\,]+)";
        PythonRegex regex;
        try { regex = new PythonRegex(pattern); }
        catch (FormatException e) { throw new InvalidDataException($"{at}: field 'regex_pattern' {TaskJson.Quote(pattern)}: {e.Message}"); }
        int group = 0;
        if (o["group_select"] is JsonNode g && !(g is JsonValue v && v.TryGetValue(out group)))
            throw new InvalidDataException($"{at}: field 'group_select' must be an integer, got {g.ToJsonString()}");
        string fallback = TaskJson.String(o, "fallback", at) ?? "[invalid]";
        return new RegexStep(regex, group, fallback);
    }

    public override IReadOnlyList<string> Apply(IReadOnlyList<string> answers) => answers.Select(Extract).ToList();

    private string Extract(string text)
    {
        var found = regex.FindAll(text);
        if (found.Count == 0) return fallback;
        int index = groupSelect < 0 ? found.Count + groupSelect : groupSelect;
        if (index < 0 || index >= found.Count)
            throw new InvalidOperationException($"regex filter {TaskJson.Quote(regex.Pattern)}: group_select {groupSelect} with {found.Count} match(es) in {TaskJson.Quote(text)} (Python raises IndexError here)");
        object match = found[index];
        string value = match is string[] tuple
            ? tuple.FirstOrDefault(m => m.Length > 0) ?? throw new InvalidOperationException(
                $"regex filter {TaskJson.Quote(regex.Pattern)}: every group of the match is empty in {TaskJson.Quote(text)} (Python raises IndexError here)")
            : (string)match;
        return PythonText.Strip(value);
    }
}

/// <summary>lm-eval's MapFilter: mapping_dict.get(answer, default_value). A default is required: lm-eval's None cannot be scored.</summary>
internal sealed class MapStep(IReadOnlyDictionary<string, string> mapping, string fallback) : FilterStep
{
    public static MapStep Read(JsonObject o, string at)
    {
        if (o["mapping_dict"] is not JsonObject map) throw new InvalidDataException($"{at}: field 'mapping_dict' must be an object of strings");
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
            mapping[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s
                : throw new InvalidDataException($"{at}: mapping_dict['{key}'] must be a string (exact_match compares strings), got {value?.ToJsonString() ?? "null"}");
        string fallback = TaskJson.String(o, "default_value", at)
            ?? throw new InvalidDataException($"{at}: field 'default_value' (a string) is required: lm-eval's default None cannot be scored by exact_match");
        return new MapStep(mapping, fallback);
    }

    public override IReadOnlyList<string> Apply(IReadOnlyList<string> answers) =>
        answers.Select(a => mapping.TryGetValue(a, out var m) ? m : fallback).ToList();
}

/// <summary>Typed reads of task-file JSON whose errors name the place.</summary>
internal static class TaskJson
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A string as a JSON literal for messages: quotes and control characters escaped, the rest as written.</summary>
    public static string Quote(string s) => JsonSerializer.Serialize(s, Readable);

    public static string? String(JsonObject o, string field, string at) => o[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw new InvalidDataException($"{at}: field '{field}' must be a string, got {other.ToJsonString()}"),
    };

    public static bool Bool(JsonObject o, string field, string at, bool fallback) => o[field] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue(out bool b) => b,
        var other => throw new InvalidDataException($"{at}: field '{field}' must be true or false, got {other.ToJsonString()}"),
    };
}
