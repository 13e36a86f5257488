using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval tokenizers chat</c>: renders conversations with a model's chat template, as transformers' apply_chat_template(tokenize=False) does.</summary>
public static class TokenizersChatCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--tokenizer", "-t")
        {
            Description = "A model folder (its chat_template.jinja, else tokenizer_config.json's chat_template; special tokens from tokenizer_config.json) or a tokenizer_config.json file.",
        };
        var messages = new Option<string>("--messages", "-m")
        {
            Description = "A JSON file with one conversation (an array of {\"role\", \"content\"} messages), or JSONL with one array per line; - reads stdin.",
            Required = true,
        };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the assistant's header, as a prompt for the model's reply (transformers' add_generation_prompt=True)." };
        var vars = new Option<string[]>("--var")
        {
            Description = "Extra template variable NAME=VALUE (repeatable); VALUE is read as JSON when it parses (true, 3, \"s\", [..]), else as a string. E.g. --var enable_thinking=false.",
            AllowMultipleArgumentsPerToken = false,
        };
        var templateFile = new Option<string?>("--chat-template") { Description = "Render with this Jinja file instead of the model's template (special tokens still come from -t when given)." };
        var templateName = new Option<string?>("--chat-template-name") { Description = "Which of a tokenizer_config.json's named templates to use (default: \"default\")." };
        var json = new Option<bool>("--json") { Description = "One JSON object per conversation and line: {\"text\": ...}, or {\"error\": ...} with the template's own raise_exception message." };
        var command = new Command("chat", "Render conversations with a chat template (Jinja, byte-identical to transformers' apply_chat_template(tokenize=False)).")
        {
            model, messages, generationPrompt, vars, templateFile, templateName, json,
        };
        command.SetAction(parse =>
        {
            string? dir = parse.GetValue(model);
            string? file = parse.GetValue(templateFile);
            var template = file is not null
                ? (parse.GetValue(templateName) is null ? ChatTemplateLoader.FromFile(file, dir) : throw new ArgumentException("give --chat-template or --chat-template-name, not both"))
                : ChatTemplateLoader.FromModel(dir ?? throw new ArgumentException("give -t MODEL_DIR (its chat template) or --chat-template FILE"), parse.GetValue(templateName));
            string path = parse.GetValue(messages)!;
            string text = path == "-" ? Console.In.ReadToEnd()
                : File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"--messages '{path}' not found");
            var conversations = ConversationFile.Parse(path == "-" ? "stdin" : path, text);
            var variables = ParseVariables(parse.GetValue(vars) ?? []);
            bool addPrompt = parse.GetValue(generationPrompt);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                foreach (var c in conversations)
                    output.WriteLine(JsonSerializer.Serialize(RenderOrError(template, c, addPrompt, variables), TokenizersCommand.Json));
                return 0;
            }
            // Every conversation is rendered before anything is printed: an error leaves no partial output.
            var rendered = conversations.Select(c =>
            {
                try { return template.Render(c.Messages, addPrompt, variables); }
                catch (ChatTemplateException e) { throw new InvalidDataException($"{path} line {c.Line}: {e.Message}"); }
            }).ToList();
            for (int i = 0; i < rendered.Count; i++)
            {
                if (rendered.Count > 1) output.WriteLine($"--- conversation at line {conversations[i].Line} ---");
                output.Write(rendered[i]);
                if (rendered.Count > 1) output.WriteLine();
            }
            return 0;
        });
        return command;
    }

    private static Dictionary<string, object> RenderOrError(ChatTemplate template, Conversation c, bool addPrompt, Dictionary<string, JsonElement> variables)
    {
        try { return new() { ["text"] = template.Render(c.Messages, addPrompt, variables) }; }
        catch (ChatTemplateRaisedException e) { return new() { ["error"] = e.TemplateMessage }; }
        catch (ChatTemplateException e) { return new() { ["error"] = e.Message }; }
    }

    internal static Dictionary<string, JsonElement> ParseVariables(string[] items)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string item in items)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string name = eq > 0 ? item[..eq] : throw new ArgumentException($"--var '{item}': expected NAME=VALUE, e.g. enable_thinking=false");
            if (!name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_') || char.IsAsciiDigit(name[0]))
                throw new ArgumentException($"--var '{item}': '{name}' is not a template variable name");
            if (name is "messages" or "add_generation_prompt")
                throw new ArgumentException($"--var {name}: set by --messages / --add-generation-prompt");
            string value = item[(eq + 1)..];
            JsonElement parsed;
            try { parsed = JsonDocument.Parse(value).RootElement.Clone(); }
            catch (JsonException) { parsed = JsonSerializer.SerializeToElement(value); }
            result[name] = parsed;
        }
        return result;
    }
}
