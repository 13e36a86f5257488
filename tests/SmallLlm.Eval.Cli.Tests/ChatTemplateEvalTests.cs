using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Kit;
using SmallLlm.Eval.Tokenizers.ChatTemplates;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>
/// `eval --apply-chat-template` on a real model folder (stories260K converted, with tests/fixtures/chat/eval's
/// tokenizer_config.json: a ChatML template that writes {{ bos_token }}), its prompts compared with Python Jinja2
/// renders of lm-eval's message lists (tests/fixtures/chat/eval/make_eval_prompts.py → expected_prompts.json).
/// </summary>
public class ChatTemplateEvalTests
{
    private static readonly string FixtureDir = Path.Combine(RepoPaths.Root, "tests", "fixtures", "chat", "eval");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "expected_prompts.json"))).RootElement;
    private const string Bos = "<s>"; // the fixture's bos_token, stories260K's BOS

    /// <summary>stories260K as an HF folder with its tokenizer, and the fixture's chat template when <paramref name="withTemplate"/>.</summary>
    private static string ModelFolder(bool withTemplate)
    {
        string dir = Path.Combine(RepoPaths.Temp("chatmodel"), withTemplate ? "chatmodel" : "plainmodel");
        var convert = CliRun.InProcess("convert", "--from", "stories260K", "--to", dir);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        File.Copy(Path.Combine(RepoPaths.Root, "tests", "fixtures", "shared", "models", "stories260K", "tok512.bin"), Path.Combine(dir, "tok512.bin"));
        if (withTemplate) File.Copy(Path.Combine(FixtureDir, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    private static string[] ExpectedPrompts(string key) => [.. Expected.GetProperty(key).EnumerateArray().Select(e => e.GetString()!)];

    private static string ShortSha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    [Theory]
    [InlineData("arith", new string[0])]
    [InlineData("arith_multiturn", new[] { "--fewshot-as-multiturn" })]
    [InlineData("arith_system", new[] { "--system-instruction", "Answer briefly." })]
    [InlineData("arith_system_multiturn", new[] { "--fewshot-as-multiturn", "--system-instruction", "Answer briefly." })]
    public void Generate_until_chat_prompts_are_python_jinja2_renders_of_lm_evals_messages_without_the_bos_text(string key, string[] options)
    {
        string output = RepoPaths.Temp("chat-arith");
        var run = CliRun.InProcess(["eval", "-m", ModelFolder(withTemplate: true), "--tasks", "arith", "--limit", "3", "-o", output, "--no-cache",
            "--apply-chat-template", .. options]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = ExpectedPrompts(key);
        Assert.All(expected, e => Assert.StartsWith(Bos, e, StringComparison.Ordinal));
        var recorded = File.ReadAllLines(RunResults.Samples(output, "arith")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt_sha256").GetString()).ToArray();
        Assert.Equal(expected.Select(e => ShortSha(e[Bos.Length..])), recorded);
        using var result = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "arith")));
        var settings = result.RootElement.GetProperty("task").GetProperty("settings");
        Assert.True(settings.GetProperty("apply_chat_template").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "tokenizer_config.json"))).RootElement.GetProperty("chat_template").GetString()!))),
            settings.GetProperty("chat_template_sha256").GetString());
        Assert.Equal(options.Contains("--fewshot-as-multiturn"), settings.GetProperty("fewshot_as_multiturn").GetBoolean());
    }

    [Fact]
    public void Multiple_choice_chat_prompts_match_python_jinja2_score_choices_without_the_target_delimiter_and_carry_one_bos()
    {
        string folder = ModelFolder(withTemplate: true);
        var model = LocalModelLoader.Load(folder, new LocalModelOptions());
        using var owned = model as IDisposable;
        var task = TaskRegistry.Load(RepoPaths.Tasks, null, []).Create("arc_easy");
        foreach (var (key, multiturn, system) in new[] { ("arc_easy_2shot", false, (string?)null), ("arc_easy_2shot_system_multiturn", true, "You are a science teacher.") })
        {
            var settings = new TaskSettings { NumFewshot = 2, Limit = 3, Chat = new ChatPromptSettings(ChatTemplateLoader.FromModel(folder), multiturn, system) };
            var requests = task.Plan(model, settings).Requests.Cast<LoglikelihoodRequest>().ToList();
            var contexts = requests.Select(r => r.Context).Distinct().ToArray();
            var expected = ExpectedPrompts(key);
            Assert.Equal(expected.Select(e => e.StartsWith(Bos, StringComparison.Ordinal) ? e[Bos.Length..] : "no BOS text: " + e), contexts);
            // The model puts one BOS token before the prompt and the prompt has no BOS text of its own.
            Assert.All(contexts, c => Assert.Equal(model.Tokenizer.Encode(c).Count + 1, model.CountPromptTokens(c)));
            Assert.Equal(Expected.GetProperty("arc_easy_continuations")[0].EnumerateArray().Select(e => e.GetString()),
                requests.Where(r => r.Context == contexts[0]).Select(r => r.Continuation));
        }
    }

    [Fact]
    public void Plain_and_chat_runs_are_cached_apart_and_the_leaderboard_flags_the_chat_row()
    {
        string root = RepoPaths.Temp("chat-cache");
        string output = Path.Combine(root, "results"), cache = Path.Combine(root, "cache.sqlite");
        string chatModel = ModelFolder(withTemplate: true);
        JsonElement Timing(params string[] extra)
        {
            var run = CliRun.InProcess(["eval", "-m", chatModel, "--tasks", "arc_easy", "--limit", "3", "-o", output, "--cache", cache, .. extra]);
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(File.ReadAllText(RunResults.Result(output, "arc_easy")));
            return doc.RootElement.GetProperty("timing").Clone();
        }
        Assert.Equal(0, Timing().GetProperty("requests_reused").GetInt32());
        var chat = Timing("--apply-chat-template");
        Assert.Equal(0, chat.GetProperty("requests_reused").GetInt32());
        Assert.Equal(chat.GetProperty("requests").GetInt32(), chat.GetProperty("requests_computed").GetInt32());
        Assert.Equal(chat.GetProperty("requests").GetInt32(), Timing("--apply-chat-template").GetProperty("requests_reused").GetInt32());

        // Two plain rows (other model folders) and this model's latest run, with the chat template: flagged.
        foreach (string plain in new[] { "stories260K", ModelFolder(withTemplate: false) })
            Assert.Equal(0, CliRun.InProcess("eval", "-m", plain, "--tasks", "arc_easy", "--limit", "3", "-o", output, "--cache", cache).ExitCode);
        var board = CliRun.InProcess("leaderboard", "--results", output, "--json");
        Assert.True(board.ExitCode == 0, board.ToString());
        var rows = JsonDocument.Parse(board.Stdout).RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        var flagged = rows.Where(r => r.GetProperty("flags").GetArrayLength() > 0).ToList();
        Assert.Single(flagged);
        Assert.Contains("chat_template_sha256=", flagged[0].GetProperty("flags")[0].GetString());
    }

    [Fact]
    public void A_chat_template_file_serves_a_model_folder_without_one()
    {
        // The folder has no tokenizer_config.json, so bos_token is undefined and the template writes no BOS text: the
        // prompt is the reference without it, and the model's own BOS comes first, as with the folder's template.
        string dir = RepoPaths.Temp("chat-file"), output = Path.Combine(dir, "out"), file = Path.Combine(dir, "chatml.jinja");
        File.WriteAllText(file, JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "tokenizer_config.json"))).RootElement.GetProperty("chat_template").GetString());
        var run = CliRun.InProcess("eval", "-m", ModelFolder(withTemplate: false), "--tasks", "arith", "--limit", "3", "-o", output, "--no-cache",
            "--apply-chat-template", "--chat-template", file);
        Assert.True(run.ExitCode == 0, run.ToString());
        var recorded = File.ReadAllLines(RunResults.Samples(output, "arith")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt_sha256").GetString());
        Assert.Equal(ExpectedPrompts("arith").Select(e => ShortSha(e[Bos.Length..])), recorded);
    }

    [Fact]
    public void Run_reads_the_chat_settings_from_the_config_and_its_options_override_them()
    {
        string dir = RepoPaths.Temp("chat-run");
        string config = Path.Combine(dir, "eval.config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            models = new[] { new { model = ModelFolder(withTemplate: true) } }, tasks = new[] { "arith" }, limit = 3, output = "out",
            cache = (string?)null, tasks_dir = RepoPaths.Tasks, apply_chat_template = true, fewshot_as_multiturn = true,
            system_instruction = "Be terse.",
        }));
        var run = CliRun.InProcess("run", "--config", config, "--system-instruction", "Answer briefly.", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var result = Assert.Single(run.Json().GetProperty("results").EnumerateArray());
        var settings = result.GetProperty("task").GetProperty("settings");
        Assert.True(settings.GetProperty("fewshot_as_multiturn").GetBoolean()); // the config's
        Assert.Equal("Answer briefly.", settings.GetProperty("system_instruction").GetString()); // the option's
        var recorded = File.ReadAllLines(RunResults.Samples(Path.Combine(dir, "out"), "arith")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt_sha256").GetString());
        Assert.Equal(ExpectedPrompts("arith_system_multiturn").Select(e => ShortSha(e[Bos.Length..])), recorded);
    }

    [Theory]
    [InlineData(false, new[] { "--apply-chat-template" }, "no chat_template.jinja or tokenizer_config.json with a chat_template; pass --chat-template FILE")]
    [InlineData(true, new[] { "--fewshot-as-multiturn" }, "--fewshot-as-multiturn needs --apply-chat-template")]
    [InlineData(true, new[] { "--apply-chat-template", "tool_use" }, "has a single chat_template, not one named 'tool_use'")]
    [InlineData(true, new[] { "--apply-chat-template", "--tasks", "winogrande" }, "--apply-chat-template is not supported for partial evaluation")]
    [InlineData(true, new[] { "--apply-chat-template", "--tasks", "lambada_openai" }, "--apply-chat-template is not supported by this task's kind")]
    public void Chat_options_that_cannot_apply_exit_with_2_and_one_clear_line(bool withTemplate, string[] options, string expected)
    {
        string[] tasks = options.Contains("--tasks") ? [] : ["--tasks", "arc_easy"];
        var run = CliRun.InProcess(["eval", "-m", ModelFolder(withTemplate), "--limit", "2", "-o", RepoPaths.Temp("bad-chat"), "--no-cache", .. tasks, .. options]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
