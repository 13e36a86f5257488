using System.Text.Json;
using System.Text.RegularExpressions;
using static SmallLlm.Eval.Tasks.MultipleChoice.MultipleChoiceFormats;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// Original-release records turned into documents as lm-evaluation-harness's task configs do (lm_eval/tasks/hellaswag
/// utils.py, super_glue/boolq and copa, openbookqa, winogrande). Each also accepts llm-foundry's conversion where one exists.
/// </summary>
public static partial class LmEvalDocuments
{
    /// <summary>hellaswag utils.process_docs: query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()).</summary>
    public static MultipleChoiceDocument HellaSwag(JsonElement o, int index, string where)
    {
        string ctx = Str(o, "ctx_a") + " " + PythonCapitalize(Str(o, "ctx_b"));
        string query = Preprocess(Str(o, "activity_label") + ": " + ctx);
        var endings = Strings(o.GetProperty("endings")).Select(Preprocess).ToList();
        return new MultipleChoiceDocument(index, query, endings, Int(o, "label"), where);
    }

    /// <summary>hellaswag utils.preprocess: strip, " [title]" → ". ", drop [bracketed] artefacts, one pass of "  " → " ".</summary>
    public static string Preprocess(string text)
    {
        text = text.Trim();
        text = text.Replace(" [title]", ". ");
        text = Bracketed().Replace(text, "");
        return text.Replace("  ", " ");
    }

    /// <summary>Python's str.capitalize(): first character upper-cased, all the others lower-cased.</summary>
    public static string PythonCapitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Bracketed();

    /// <summary>super_glue boolq: {passage, question, label 0/1} (SuperGLUE) or {passage, question, answer true/false} (original BoolQ).</summary>
    public static MultipleChoiceDocument BoolQ(JsonElement o, int index, string where)
    {
        int gold = o.TryGetProperty("label", out var l) ? Bool01(l, "label")
            : o.TryGetProperty("answer", out var a) ? Bool01(a, "answer")
            : throw new FormatException("needs 'label' (0/1) or 'answer' (true/false)");
        string passage = Str(o, "passage"), question = Str(o, "question");
        return new MultipleChoiceDocument(index, question, ["no", "yes"], gold, where)
        {
            Fields = new Dictionary<string, string> { ["query"] = question, ["passage"] = passage, ["question"] = question },
        };
    }

    private static int Bool01(JsonElement v, string name) => v.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.Number when v.TryGetInt32(out int i) && i is 0 or 1 => i,
        _ => throw new FormatException($"'{name}' must be true/false or 0/1"),
    };

    /// <summary>
    /// super_glue copa utils: text = premise.strip()[:-1] + " because"/" therefore" (cause/effect); choices =
    /// " " + choice with its first letter lower-cased (so, after the target delimiter, two spaces: as lm-eval scores them).
    /// llm-foundry's conversion ("premise, therefore", lower-cased choices) is mapped to the same text.
    /// </summary>
    public static MultipleChoiceDocument Copa(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("query", out _))
        {
            string q = Str(o, "query");
            foreach (var connector in new[] { "because", "therefore" })
                if (q.EndsWith(", " + connector, StringComparison.Ordinal)) q = q[..^(connector.Length + 2)] + " " + connector;
            return new MultipleChoiceDocument(index, q, Strings(o.GetProperty("choices")).Select(c => " " + LowerFirst(c)).ToList(), Int(o, "gold"), where);
        }
        string text = Str(o, "premise").Trim()[..^1] + Str(o, "question") switch
        {
            "cause" => " because",
            "effect" => " therefore",
            var other => throw new FormatException($"'question' must be cause or effect, got '{other}'"),
        };
        return new MultipleChoiceDocument(index, text, [" " + LowerFirst(Str(o, "choice1")), " " + LowerFirst(Str(o, "choice2"))], Int(o, "label"), where);
    }

    private static string LowerFirst(string c) => c.Length == 0 ? c : char.ToLowerInvariant(c[0]) + c[1..];

    /// <summary>
    /// openbookqa: doc_to_text question_stem, choices choices.text, gold choices.label.index(answerKey.lstrip()). Reads
    /// the Hugging Face export lm-eval's YAML reads ({question_stem, choices: {text, label}, answerKey}), AllenAI's
    /// original release ({question: {stem, choices: [{text, label}]}, answerKey}) or llm-foundry's {query, choices, gold}.
    /// </summary>
    public static MultipleChoiceDocument OpenBookQa(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("query", out _))
            return new MultipleChoiceDocument(index, Str(o, "query"), Strings(o.GetProperty("choices")), Int(o, "gold"), where);
        var (stem, choices, gold) = QuestionChoicesAnswer(o, "question_stem", lstripAnswerKey: true);
        return new MultipleChoiceDocument(index, stem, choices, gold, where);
    }

    /// <summary>
    /// ARC as lm-eval's arc_easy/arc_challenge: "Question: {question}" (the task's template adds "\nAnswer:"), choices
    /// choices.text, gold choices.label.index(answerKey). Reads the Hugging Face export ({question, choices: {text,
    /// label}, answerKey}, lm-eval's ai2_arc), AI2's original release ({question: {stem, choices: [...]}, answerKey}) or
    /// llm-foundry's {query: "Question: ...", choices, gold}.
    /// </summary>
    public static MultipleChoiceDocument Arc(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("query", out _))
            return new MultipleChoiceDocument(index, Str(o, "query"), Strings(o.GetProperty("choices")), Int(o, "gold"), where);
        var (stem, choices, gold) = QuestionChoicesAnswer(o, "question", lstripAnswerKey: false);
        return new MultipleChoiceDocument(index, "Question: " + stem, choices, gold, where);
    }

    /// <summary>
    /// PIQA as lm-eval's piqa: "Question: {goal}\n" (llm-foundry's query, which the task's template "{query}Answer:"
    /// completes), choices [sol1, sol2], gold label. Reads the Hugging Face export ({goal, sol1, sol2, label}) or
    /// llm-foundry's {query, choices, gold}.
    /// </summary>
    public static MultipleChoiceDocument Piqa(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("query", out _))
            return new MultipleChoiceDocument(index, Str(o, "query"), Strings(o.GetProperty("choices")), Int(o, "gold"), where);
        return new MultipleChoiceDocument(index, "Question: " + Str(o, "goal") + "\n", [Str(o, "sol1"), Str(o, "sol2")], Int(o, "label"), where);
    }

    /// <summary>
    /// The question, choice texts and gold index of an AI2-style record: the Hugging Face layout (a string question
    /// field, choices {text: [...], label: [...]}) or the original one (question {stem, choices: [{text, label}]}).
    /// </summary>
    private static (string Stem, List<string> Choices, int Gold) QuestionChoicesAnswer(JsonElement o, string questionField, bool lstripAnswerKey)
    {
        string stem;
        List<string> texts, labels;
        if (o.TryGetProperty("question", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            stem = Str(q, "stem");
            var choices = q.GetProperty("choices").EnumerateArray().ToList();
            texts = choices.Select(c => Str(c, "text")).ToList();
            labels = choices.Select(c => Str(c, "label")).ToList();
        }
        else if (o.TryGetProperty(questionField, out _))
        {
            stem = Str(o, questionField);
            var choices = o.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Object ? c
                : throw new FormatException("'choices' must be an object {text: [...], label: [...]}");
            texts = Strings(choices.GetProperty("text"));
            labels = Strings(choices.GetProperty("label"));
            if (texts.Count != labels.Count) throw new FormatException($"choices has {texts.Count} texts but {labels.Count} labels");
        }
        else throw new FormatException($"needs '{questionField}' (Hugging Face export) or 'question' {{stem, choices}} (original release)");
        string key = Str(o, "answerKey");
        if (lstripAnswerKey) key = key.TrimStart();
        int gold = labels.IndexOf(key);
        if (gold < 0) throw new FormatException($"answerKey '{key}' is none of the labels {string.Join(", ", labels)}");
        return (stem, texts, gold);
    }

    /// <summary>
    /// winogrande (partial evaluation): the contexts are sentence[:i] + option for i the blank's index; the shared
    /// continuation sentence[i + 1:].strip(); gold = answer "1"/"2" → 0/1. Or llm-foundry's {context_options, continuation, gold}.
    /// </summary>
    public static MultipleChoiceDocument Winogrande(JsonElement o, int index, string where)
    {
        if (o.TryGetProperty("context_options", out var opts))
            return new MultipleChoiceDocument(index, "", Strings(opts), Int(o, "gold"), where) { Continuation = Str(o, "continuation") };
        string sentence = Str(o, "sentence");
        int blank = sentence.IndexOf('_');
        if (blank < 0) throw new FormatException("'sentence' has no blank '_'");
        int gold = Str(o, "answer") switch { "1" => 0, "2" => 1, var a => throw new FormatException($"'answer' must be \"1\" or \"2\", got '{a}'") };
        return new MultipleChoiceDocument(index, "", [sentence[..blank] + Str(o, "option1"), sentence[..blank] + Str(o, "option2")], gold, where)
        {
            Continuation = sentence[(blank + 1)..].Trim(),
        };
    }
}
