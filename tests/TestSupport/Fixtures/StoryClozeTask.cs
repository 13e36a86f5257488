using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmallLlm.Eval.TestSupport;

/// <summary>
/// A multiple-choice task stories260K is good at, so that damaging its weights shows: the next word of a TinyStories
/// sentence against three words drawn from elsewhere in the sample. MMLU and ARC sit near chance for a 260K model,
/// where a broken model cannot score worse.
/// </summary>
public static partial class StoryClozeTask
{
    public const string Name = "stories_cloze";

    /// <summary>Writes tasks/stories_cloze/{stories_cloze.task.json,stories_cloze.jsonl} from the shared TinyStories sample.</summary>
    public static void Write(string tasksDir, string tinyStoriesSample)
    {
        string dir = Path.Combine(tasksDir, Name);
        Directory.CreateDirectory(dir);
        var words = Word().Matches(File.ReadAllText(tinyStoriesSample)).Select(m => m.Value).ToList();
        var vocabulary = words.Select(w => w.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        var random = new Random(11);
        var lines = new List<string>();
        // Every fifth word after the first eight: the prompt is the eight to twenty words before it.
        for (int i = 8; i < words.Count && lines.Count < 60; i += 5)
        {
            string gold = words[i];
            var choices = new List<string> { gold };
            while (choices.Count < 4)
            {
                string w = vocabulary[random.Next(vocabulary.Count)];
                if (!choices.Contains(w, StringComparer.OrdinalIgnoreCase)) choices.Add(w);
            }
            int goldIndex = random.Next(4);
            (choices[0], choices[goldIndex]) = (choices[goldIndex], choices[0]);
            string query = string.Join(" ", words[Math.Max(0, i - 20)..i]);
            lines.Add(JsonSerializer.Serialize(new { query, choices, gold = goldIndex }));
        }
        File.WriteAllLines(Path.Combine(dir, Name + ".jsonl"), lines);
        File.WriteAllText(Path.Combine(dir, Name + ".task.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = Name, ["kind"] = "multiple_choice", ["version"] = "1",
            ["description"] = "Next word of a TinyStories sentence among four (test fixture).",
            ["data"] = Name + ".jsonl", ["context_template"] = "{query}", ["target_delimiter"] = " ", ["num_fewshot"] = 0,
            ["metrics"] = new[] { "acc", "acc_norm" },
        }));
    }

    [GeneratedRegex(@"[A-Za-z']+")]
    private static partial Regex Word();
}
