using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tokenizers.Tests.ChatTemplates;

public class ChatTemplateLoaderTests
{
    private static readonly JsonElement OneUserMessage = JsonDocument.Parse("""[{"role": "user", "content": "hi"}]""").RootElement;

    private static string Folder(string tokenizerConfigJson)
    {
        string dir = RepoPaths.Temp("chat-template");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tokenizerConfigJson);
        return dir;
    }

    [Fact]
    public void A_list_of_named_templates_gives_default_unless_a_name_is_asked_for()
    {
        string dir = Folder("""
            {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
             "chat_template": [{"name": "default", "template": "{{ bos_token }}D:{{ messages[0].content }}"},
                               {"name": "tool_use", "template": "T{{ eos_token }}"}]}
            """);
        Assert.Equal("<s>D:hi", ChatTemplateLoader.FromModel(dir).Render(OneUserMessage, false));
        Assert.Equal("T</s>", ChatTemplateLoader.FromModel(dir, "tool_use").Render(OneUserMessage, false));
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplateLoader.FromModel(dir, "rag"));
        Assert.Contains("no chat template named 'rag'", e.Message);
        Assert.Contains("default, tool_use", e.Message);
    }

    [Fact]
    public void A_base_model_without_a_template_says_to_pass_one()
    {
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplateLoader.FromModel(Folder("""{"bos_token": "<s>"}""")));
        Assert.Contains("no chat_template", e.Message);
        Assert.Contains("--chat-template FILE", e.Message);
    }

    [Fact]
    public void A_chat_template_jinja_file_in_the_folder_is_used_before_tokenizer_config()
    {
        string dir = Folder("""{"eos_token": "</s>", "chat_template": "from config"}""");
        File.WriteAllText(Path.Combine(dir, ChatTemplateLoader.JinjaFileName), "from file{{ eos_token }}\n");
        var template = ChatTemplateLoader.FromModel(dir);
        Assert.Equal("from file</s>", template.Render(OneUserMessage, false));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("from file{{ eos_token }}\n"u8)), template.Sha256);
    }

    [Fact]
    public void A_message_without_a_role_is_bad_input_naming_the_message()
    {
        var template = new ChatTemplate("t", "{{ messages | length }}", new Dictionary<string, string>());
        var e = Assert.Throws<FormatException>(() => template.Render(JsonDocument.Parse("""[{"role": "user"}, {"content": "x"}]""").RootElement, false));
        Assert.Contains("message 2 has no string \"role\"", e.Message);
    }
}
