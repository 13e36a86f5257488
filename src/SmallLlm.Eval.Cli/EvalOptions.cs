using System.CommandLine;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// How tasks are run: one option group for every command that runs tasks (<c>eval</c>, <c>sweep</c>, <c>bench
/// tasks</c>, and <c>run</c>, where a given option overrides the config file), so that they cannot drift apart.
/// </summary>
public sealed class EvalOptions
{
    public Option<int?> NumFewshot { get; } = TaskOptions.NumFewshot("Few-shot examples per prompt (default: each task's own, 5 for MMLU).");
    public Option<string?> Limit { get; } = TaskOptions.Limit("At most N documents per task (per subject for MMLU).");
    public Option<string> BatchSize { get; } = TaskOptions.BatchSize();
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed for anything random (sampling).", DefaultValueFactory = _ => 1234UL };
    public Option<bool> Strict { get; } = new("--strict") { Description = "Fail on malformed data rows instead of skipping them with a warning." };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Read task data from this folder instead of the bundled one." };
    public Option<int?> RollingStride { get; } = new("--rolling-stride") { Description = "Perplexity: overlapping windows that advance by N tokens (each scores only its new tokens); default disjoint windows of the full context." };
    public Option<string?> TasksDir { get; } = new("--tasks-dir") { Description = "Folder of task definitions (default: the repository's tasks/)." };
    public Option<string[]> IncludeTasks { get; } = TaskOptions.IncludeTasks();
    public Option<string?> Subjects { get; } = new("--subjects") { Description = "MMLU only: comma-separated subjects to run." };
    public Option<string?> FitShots { get; } = new("--fit-shots") { Description = "Few-shot prompts longer than the context: truncate (default, lm-evaluation-harness: keep every shot, cut the context on the left) or drop (drop shots until the prompt fits)." };
    public Option<bool> AllowCode { get; } = new("--allow-code-execution") { Description = "Code tasks (humaneval, mbpp): RUN the model-written Python code on this machine (in a sandbox: separate process, time/memory/CPU limits, no network where possible) to compute pass@k." };
    public Option<bool> AllowUnsandboxed { get; } = new("--allow-unsandboxed-execution") { Description = "With --allow-code-execution where no sandbox works (no user namespaces): run the code WITHOUT isolation anyway (it can read and write what you can, and reach the network)." };
    public Option<bool> AllowNonFinite { get; } = new("--allow-nonfinite") { Description = "Record NaN or infinite scores from the model (counted and warned about in the result) instead of failing the task on the first one." };
    public Option<bool> LogSamples { get; } = TaskOptions.LogSamples();
    public Option<string?> ApplyChatTemplate { get; } = new("--apply-chat-template", "--apply_chat_template")
    {
        Description = "Prompts through the model's chat template (tokenizer_config.json or chat_template.jinja in the model folder, or --chat-template FILE), as lm-eval's --apply_chat_template; NAME picks one of several named templates.",
        Arity = ArgumentArity.ZeroOrOne, HelpName = "NAME",
    };
    public Option<string?> ChatTemplateFile { get; } = new("--chat-template") { Description = "With --apply-chat-template: the Jinja chat template file to use instead of the model's.", HelpName = "FILE" };
    public Option<bool> FewshotAsMultiturn { get; } = new("--fewshot-as-multiturn", "--fewshot_as_multiturn") { Description = "With --apply-chat-template: each few-shot example as a user turn and an assistant turn (default: all examples in the first user turn)." };
    public Option<string?> SystemInstruction { get; } = new("--system-instruction", "--system_instruction") { Description = "A system message before the prompt (with --apply-chat-template; joined with the task description).", HelpName = "TEXT" };

    public IEnumerable<Option> All =>
    [
        NumFewshot, Limit, BatchSize, Seed, Strict, DataDir, RollingStride, TasksDir, IncludeTasks, Subjects, FitShots,
        AllowCode, AllowUnsandboxed, AllowNonFinite, LogSamples, ApplyChatTemplate, ChatTemplateFile, FewshotAsMultiturn, SystemInstruction,
    ];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>What the options do not do, said once per command (--log_samples is accepted but changes nothing).</summary>
    public void WriteNotes(ParseResult parse)
    {
        if (parse.GetValue(LogSamples)) parse.InvocationConfiguration.Error.WriteLine(TaskOptions.LogSamplesNote);
    }

    /// <summary>Given on the command line (not a default).</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>A job of <paramref name="model"/> on <paramref name="tasks"/> with these options' task settings and task
    /// folders; with <paramref name="config"/>, the config file's values where no option is given (options override it).
    /// The caller adds how the model loads.</summary>
    public EvalJobSpec Job(ParseResult parse, string model, IReadOnlyList<string> tasks, string output, EvalConfig? config = null)
    {
        var (limitCount, limitFraction) = TaskOptions.ParseLimit(parse.GetValue(Limit)); // the one --limit rule
        var options = new Dictionary<string, string>();
        if (parse.GetValue(Subjects) is string s) options["subjects"] = s;
        if (parse.GetValue(FitShots) is string fs) options[FewshotFitOption.Key] = fs;
        var execution = new ExecutionPolicy(parse.GetValue(AllowCode), parse.GetValue(AllowUnsandboxed));
        int? shots = SettingRules.NumFewshot(parse.GetValue(NumFewshot), "--num-fewshot");
        ulong seed = parse.GetValue(Seed);
        bool strict = parse.GetValue(Strict);
        string? dataDir = parse.GetValue(DataDir);
        bool seedGiven = Given(parse, Seed);
        var chat = new Lazy<ChatPromptSettings?>(() => ChatOptions.Settings(parse, this, model, config));
        TaskSettings For(string task)
        {
            var o = config?.TaskSettings.GetValueOrDefault(task) ?? new TaskOverride();
            return new TaskSettings
            {
                NumFewshot = shots ?? o.NumFewshot ?? config?.NumFewshot,
                Limit = limitCount ?? (limitFraction is null ? o.Limit ?? config?.Limit : null),
                Seed = seedGiven || config is null ? seed : config.Seed,
                Strict = strict,
                DataDir = dataDir,
                Options = new Dictionary<string, string>(o.Options.Concat(options).GroupBy(kv => kv.Key).Select(g => g.Last())),
                Execution = execution,
                Chat = chat.Value,
            };
        }
        string? tasksDir = parse.GetValue(TasksDir);
        return new EvalJobSpec
        {
            Model = model,
            Tasks = tasks,
            OutputDirectory = output,
            TasksDirectory = tasksDir is not null || config is null ? ProjectPaths.TasksDirectory(tasksDir) : config.Resolve(config.TasksDir),
            IncludeTasks = parse.GetValue(IncludeTasks) ?? [],
            PluginsDirectory = config is null ? ProjectPaths.FindUpwards("plugins") : config.Resolve(config.Plugins),
            BatchSize = SettingRules.BatchSize(Given(parse, BatchSize) || config is null ? parse.GetValue(BatchSize)! : config.BatchSize, "--batch-size"),
            RollingStride = SettingRules.AtLeastOne(parse.GetValue(RollingStride), "--rolling-stride"),
            LimitFraction = limitFraction,
            AllowNonFinite = parse.GetValue(AllowNonFinite),
            SettingsFor = For,
        };
    }
}
