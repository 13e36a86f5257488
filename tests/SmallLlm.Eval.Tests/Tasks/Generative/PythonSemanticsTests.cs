using System.Globalization;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Tasks.Generative;

namespace SmallLlm.Eval.Tests.Tasks.Generative;

/// <summary>
/// lm-eval's filters and exact_match, and the Python string functions under them, against the values CPython itself
/// gave (tests/fixtures/generative/python_semantics.json, written by make_reference.py there).
/// </summary>
public class PythonSemanticsTests
{
    private static readonly JsonObject Reference = (JsonObject)JsonNode.Parse(File.ReadAllText(
        Path.Combine(RepoPaths.Root, "tests", "fixtures", "generative", "python_semantics.json")))!;

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public void Regex_filter_extracts_what_lm_eval_extracts_with_python_re()
    {
        var failures = new List<string>();
        foreach (var c in Reference["regex"]!.AsArray())
        {
            string pattern = c!["pattern"]!.GetValue<string>(), text = c["text"]!.GetValue<string>();
            int group = c["group_select"]!.GetValue<int>();
            var filter = AnswerFilter.ReadList(JsonNode.Parse($$"""[{"name": "t", "filter": [{"function": "regex", "regex_pattern": {{Show(pattern)}}, "group_select": {{group}}}, {"function": "take_first"}]}]"""), "test")[0];
            string got;
            try { got = filter.Apply([text]); }
            catch (InvalidOperationException) { got = "<error>"; }
            string expected = c["expected"]?.GetValue<string>() ?? "<error>";
            if (got != expected) failures.Add($"{Show(pattern)}[{group}] on {Show(text)}: expected {Show(expected)}, got {Show(got)}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(Reference["regex"]!.AsArray().Count >= 40);
    }

    [Fact]
    public void Exact_match_normalizes_as_lm_eval_exact_match_hf_evaluate()
    {
        foreach (var c in Reference["exact_match"]!.AsArray())
        {
            var options = c!["options"]!.AsObject();
            var metric = ExactMatch.ReadList(new JsonArray(new JsonObject(options.Select(o => KeyValuePair.Create(o.Key, o.Value?.DeepClone())))
                { ["metric"] = "exact_match" }), "test");
            string p = c["prediction"]!.GetValue<string>(), r = c["reference"]!.GetValue<string>();
            Assert.True(c["expected"]!.GetValue<bool>() == metric.Matches(p, r), $"{Show(p)} vs {Show(r)} with {options.ToJsonString()}");
        }
    }

    [Fact]
    public void Filter_pipelines_with_majority_vote_case_whitespace_and_map_give_python_answers()
    {
        foreach (var c in Reference["pipelines"]!.AsArray())
        {
            var filter = AnswerFilter.ReadList(new JsonArray(new JsonObject { ["name"] = "t", ["filter"] = c!["filter"]!.DeepClone() }), "test")[0];
            var responses = c["responses"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
            Assert.Equal(c["expected"]!.GetValue<string>(), filter.Apply(responses));
        }
    }

    [Fact]
    public void Lower_upper_and_strip_are_pythons_for_every_character_python_maps()
    {
        var python = Reference["python"]!.AsObject();
        var failures = new List<string>();
        foreach (var (name, map, f) in new (string, string, Func<string, string>)[] { ("lower", "lower", PythonText.Lower), ("upper", "upper", PythonText.Upper) })
            foreach (var (hex, value) in python[map]!.AsObject())
            {
                string c = char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                if (f(c) != value!.GetValue<string>()) failures.Add($"{name}(U+{hex}): expected {Show(value.GetValue<string>())}, got {Show(f(c))}");
            }
        foreach (var (s, lower) in python["sigma"]!.AsObject())
            if (PythonText.Lower(s) != lower!.GetValue<string>()) failures.Add($"lower({Show(s)}): expected {Show(lower.GetValue<string>())}, got {Show(PythonText.Lower(s))}");
        var spaces = python["space"]!.AsArray().Select(h => int.Parse(h!.GetValue<string>(), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
        for (int c = 0; c < 0x10000; c++)
            if (c is < 0xD800 or > 0xDFFF && PythonText.IsSpace((char)c) != spaces.Contains(c)) failures.Add($"isspace(U+{c:X4}): expected {spaces.Contains(c)}");
        Assert.True(failures.Count == 0, $"{failures.Count} differences from Python {python["version"]}:\n" + string.Join("\n", failures.Take(40)));
        Assert.Equal("ab", PythonText.Strip("\x1c\u3000ab\x85 "));
    }
}
