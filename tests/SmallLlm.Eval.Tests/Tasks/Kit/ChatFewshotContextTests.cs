using SmallLlm.Eval.Tasks.Kit;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Tests.Tasks.Kit;

/// <summary>
/// lm-eval's chat prompts (lm_eval/api/task.py fewshot_context and append_target_question, samplers.py
/// get_chat_context, HFLM.apply_chat_template): the turns, and the rendered text against Python's Jinja2 with
/// transformers' continue_final_message cut.
/// </summary>
public class ChatFewshotContextTests
{
    private static readonly FewshotExample[] Shots = [new("Q: 2+2?\nA:", "4"), new("Q: 5-1?\nA:", "4")];

    [Fact]
    public void Shots_are_one_user_turn_with_the_question_appended_after_the_system_turn()
    {
        var turns = ChatFewshotContext.Turns("Be brief.", "Arithmetic.", Shots, " ", "\n\n", fewshotAsMultiturn: false, "Q: 3+3?\nA:", genPrefix: null);
        Assert.Equal(
            [new ChatTurn("system", "Be brief.\n\nArithmetic."), new ChatTurn("user", "Q: 2+2?\nA: 4\n\nQ: 5-1?\nA: 4\n\nQ: 3+3?\nA:")],
            turns);
    }

    [Fact]
    public void Multiturn_shots_alternate_user_and_assistant_and_the_question_is_a_new_user_turn()
    {
        var turns = ChatFewshotContext.Turns(null, "", Shots, " ", "\n\n", fewshotAsMultiturn: true, "Q: 3+3?\nA:", genPrefix: null);
        Assert.Equal(
            [
                new ChatTurn("user", "Q: 2+2?\nA:"), new ChatTurn("assistant", "4"),
                new ChatTurn("user", "Q: 5-1?\nA:"), new ChatTurn("assistant", "4"),
                new ChatTurn("user", "Q: 3+3?\nA:"),
            ],
            turns);
    }

    [Fact]
    public void A_gen_prefix_precedes_each_shot_target_and_opens_the_assistant_turn()
    {
        var single = ChatFewshotContext.Turns("", "", Shots[..1], " ", "\n\n", fewshotAsMultiturn: false, "Q: 3+3?\nA:", "So");
        Assert.Equal([new ChatTurn("user", "Q: 2+2?\nA: So 4\n\nQ: 3+3?\nA:"), new ChatTurn("assistant", "So")], single);
        var multi = ChatFewshotContext.Turns(null, "", Shots[..1], " ", "\n\n", fewshotAsMultiturn: true, "Q: 3+3?\nA:", "So");
        Assert.Equal([new ChatTurn("user", "Q: 2+2?\nA:"), new ChatTurn("assistant", "So 4"), new ChatTurn("user", "Q: 3+3?\nA:"), new ChatTurn("assistant", "So")], multi);
    }

    private static ChatTemplate Model(string name) =>
        ChatTemplateLoader.FromModel(Path.Combine(RepoPaths.Root, "tests", "fixtures", "chat", "models", name + ".tokenizer_config.json"));

    // Expected texts: Python Jinja2 3.1.6 in transformers' environment, then transformers' continue_final_message cut
    // (rendered[:rindex(final.strip()) + ...]), run once on these turns.
    [Theory]
    [InlineData("qwen3", "<|im_start|>system\nAnswer with a number.<|im_end|>\n<|im_start|>user\nQ: 2+2?\nA: 4\n\nQ: 3+3?\nA:<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nThe answer is")]
    [InlineData("llama3_1", "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAnswer with a number.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ: 2+2?\nA: 4\n\nQ: 3+3?\nA:<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nThe answer is")]
    public void A_gen_prefix_is_continued_as_transformers_continues_the_final_message(string model, string expected)
    {
        ChatTurn[] turns = [new("system", "Answer with a number."), new("user", "Q: 2+2?\nA: 4\n\nQ: 3+3?\nA:"), new("assistant", "The answer is")];
        Assert.Equal(new ChatPrompt(expected, SystemDropped: false), ChatFewshotContext.Render(Model(model), turns, continueFinalTurn: true));
    }

    [Fact]
    public void A_final_message_whose_trailing_space_the_template_trims_is_cut_after_its_text()
    {
        ChatTurn[] turns = [new("user", "Q: 1+1?"), new("assistant", "2 ")];
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ: 1+1?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n2",
            ChatFewshotContext.Render(Model("llama3_1"), turns, continueFinalTurn: true).Text);
    }

    [Fact]
    public void A_template_that_refuses_the_system_turn_is_rendered_again_without_it_and_says_so()
    {
        var template = new ChatTemplate("no-system.jinja",
            "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
            new Dictionary<string, string>());
        var turns = ChatFewshotContext.Turns("Be brief.", "", [], " ", "\n\n", fewshotAsMultiturn: false, "Q?", genPrefix: null);
        Assert.Equal(new ChatPrompt("[user]Q?[assistant]", SystemDropped: true), ChatFewshotContext.Render(template, turns, continueFinalTurn: false));
    }
}
