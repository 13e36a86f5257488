using System.Text.Json;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tokenizers chat` renders a model folder's chat template over a messages file (JSON or JSONL), as text or JSON lines.</summary>
public class TokenizersChatCommandTests
{
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "chat");

    private static string ModelFolder(string name)
    {
        string dir = RepoPaths.Temp("chat-" + name);
        File.Copy(Path.Combine(Fixtures, "models", name + ".tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    private static string Expected(string id) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "expected.jinja2.json"))).RootElement.GetProperty(id).GetProperty("text").GetString()!;

    private static string MessagesFile(string dir, string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Conversation(string name) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "conversations.json"))).RootElement.GetProperty(name).GetRawText();

    [Fact]
    public void A_conversation_prints_as_transformers_renders_it_with_extra_variables()
    {
        string dir = ModelFolder("qwen3");
        string messages = MessagesFile(dir, "chat.json", Conversation("qwen_thinking"));
        var run = CliRun.InProcess("tokenizers", "chat", "-t", dir, "--messages", messages, "--add-generation-prompt", "--var", "enable_thinking=false");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Expected("qwen3/qwen_thinking/gen/enable_thinking=false"), run.Stdout);
    }

    [Fact]
    public void Json_lines_give_each_conversation_its_text_or_the_templates_own_error()
    {
        string dir = ModelFolder("gemma3");
        string messages = MessagesFile(dir, "chats.jsonl", Conversation("multi_turn").ReplaceLineEndings("") + "\n\n" + Conversation("bad_order").ReplaceLineEndings("") + "\n");
        var run = CliRun.InProcess("tokenizers", "chat", "-t", dir, "--messages", messages, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(Expected("gemma3/multi_turn/nogen"), lines[0].GetProperty("text").GetString());
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", lines[1].GetProperty("error").GetString());

        var plain = CliRun.InProcess("tokenizers", "chat", "-t", dir, "--messages", messages);
        Assert.Equal(2, plain.ExitCode);
        Assert.Empty(plain.Stdout);
        Assert.Contains("chats.jsonl line 3: chat template", plain.Stderr);
        Assert.Contains("Conversation roles must alternate", plain.Stderr);
    }

    [Theory]
    [InlineData("[{\"role\": \"user\", \"content\": \"x\"}]\n{oops\n", "bad.jsonl line 2, column 2: not valid JSON")]
    [InlineData("[{\"role\": \"user\", \"content\": \"x\"}]\n[{\"content\": \"x\"}]\n", "bad.jsonl line 2: message 1 has no string \"role\"")]
    [InlineData("{\"role\": \"user\"}", "bad.jsonl line 1: a conversation must be a JSON array")]
    public void A_bad_messages_file_names_the_line_and_exits_2(string text, string error)
    {
        string dir = ModelFolder("llama3_1");
        var run = CliRun.InProcess("tokenizers", "chat", "-t", dir, "--messages", MessagesFile(dir, "bad.jsonl", text));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(error, run.Stderr);
    }

    [Fact]
    public void An_unsupported_template_construct_is_named_and_exits_2()
    {
        string dir = RepoPaths.Temp("chat-file");
        string template = MessagesFile(dir, "t.jinja", "{% for m in messages %}\n{{ m.content | wordcount }}{% endfor %}");
        var run = CliRun.InProcess("tokenizers", "chat", "--chat-template", template, "--messages", MessagesFile(dir, "m.json", Conversation("user_only")));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("t.jinja, line 2: the filter 'wordcount' is not supported", run.Stderr);
    }
}
