using System.CommandLine;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Tasks.Kit;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// --apply-chat-template [NAME], --chat-template FILE, --fewshot-as-multiturn, --system-instruction TEXT (the options
/// override the config file's apply_chat_template, chat_template_name, chat_template, fewshot_as_multiturn,
/// system_instruction) → the chat settings of one model's tasks, or null for plain prompts.
/// </summary>
public static class ChatOptions
{
    public static ChatPromptSettings? Settings(ParseResult parse, EvalOptions o, string model, EvalConfig? config)
    {
        bool apply = parse.GetResult(o.ApplyChatTemplate) is not null || config?.ApplyChatTemplate == true;
        string? name = parse.GetValue(o.ApplyChatTemplate) ?? config?.ChatTemplateName;
        string? file = parse.GetValue(o.ChatTemplateFile) ?? (config?.ChatTemplate is string f ? config.Resolve(f) : null);
        bool multiturn = parse.GetValue(o.FewshotAsMultiturn) || config?.FewshotAsMultiturn == true;
        string? system = parse.GetValue(o.SystemInstruction) ?? config?.SystemInstruction;
        if (!apply)
        {
            // Without a chat template these would change nothing: refuse rather than run a plain evaluation silently.
            string? alone = multiturn ? "--fewshot-as-multiturn" : system is not null ? "--system-instruction" : file is not null ? "--chat-template" : null;
            return alone is null ? null : throw new ArgumentException($"{alone} needs --apply-chat-template");
        }
        ChatTemplate template;
        if (file is not null)
            template = name is null ? ChatTemplateLoader.FromFile(file, Directory.Exists(model) ? model : null)
                : throw new ArgumentException("give --apply-chat-template NAME or --chat-template FILE, not both");
        else if (Directory.Exists(model))
            template = ChatTemplateLoader.FromModel(model, name);
        else
            throw new ArgumentException($"--apply-chat-template: '{model}' is not a model folder, so there is no chat template to read; pass --chat-template FILE");
        return new ChatPromptSettings(template, multiturn, system);
    }
}
