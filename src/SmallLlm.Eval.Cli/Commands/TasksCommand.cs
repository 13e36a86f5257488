using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval tasks list|inspect</c>: see exactly what a model will be asked.</summary>
public static class TasksCommand
{
    public static Command Create()
    {
        var command = new Command("tasks", "List the available tasks, or inspect one: its documents per split and subject and a rendered example prompt.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Inspect());
        return command;
    }

    private static Option<string?> TasksDir() => new("--tasks-dir") { Description = "Folder of task definitions (default: the repository's tasks/)." };

    private static Command List()
    {
        var tasksDir = TasksDir();
        var json = ModelOptions.Json();
        var command = new Command("list", "The tasks defined under tasks/ and the kinds of task (plugins) that run them.") { tasksDir, json };
        command.SetAction(parse =>
        {
            var registry = TaskRegistry.Load(ProjectPaths.TasksDirectory(parse.GetValue(tasksDir)), ProjectPaths.FindUpwards("plugins"));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(registry.Definitions.Select(d => new { d.Name, d.Kind, d.Version, d.Description, file = d.FilePath }), CliJson.Options));
                foreach (var problem in registry.Problems) parse.InvocationConfiguration.Error.WriteLine($"error: {problem}");
                return 0;
            }
            output.WriteLine($"{"task",-16} {"kind",-16} description");
            foreach (var d in registry.Definitions) output.WriteLine($"{d.Name,-16} {d.Kind,-16} {d.Description}");
            output.WriteLine($"kinds: {string.Join(", ", registry.Kinds)}");
            foreach (var problem in registry.Problems) output.WriteLine($"error: {problem}");
            return 0;
        });
        return command;
    }

    private static Command Inspect()
    {
        var task = new Argument<string>("task") { Description = "Task name, e.g. mmlu." };
        var tasksDir = TasksDir();
        var dataDir = new Option<string?>("--data-dir") { Description = "Inspect data in this folder instead of the bundled one." };
        var shots = new Option<int?>("--num-fewshot") { Description = "Few-shot examples in the example prompt." };
        var limit = new Option<int?>("--limit") { Description = "Documents per task (per subject for MMLU)." };
        var strict = new Option<bool>("--strict") { Description = "Fail on the first malformed row." };
        var json = ModelOptions.Json();
        var countTokens = new Option<bool>("--count-tokens") { Description = "Also count the tokens a full run would put through the model, with and without few-shot prefix reuse (plans the run; runs no model)." };
        var tokenizer = new Option<string>("--tokenizer", "-t") { Description = "Tokenizer for --count-tokens (name or file).", DefaultValueFactory = _ => "llama3" };
        var contextLength = new Option<int>("--context-length") { Description = "Model context for --count-tokens (prompts longer than this drop shots, then are cut).", DefaultValueFactory = _ => 131072 };
        var command = new Command("inspect", "Documents per split and subject, and the exact prompt and continuations of the first document.")
        {
            task, tasksDir, dataDir, shots, limit, strict, json, countTokens, tokenizer, contextLength,
        };
        command.SetAction(parse =>
        {
            var registry = TaskRegistry.Load(ProjectPaths.TasksDirectory(parse.GetValue(tasksDir)), ProjectPaths.FindUpwards("plugins"));
            var evalTask = registry.Create(parse.GetValue(task)!);
            var settings = new TaskSettings
            {
                DataDir = parse.GetValue(dataDir), NumFewshot = parse.GetValue(shots), Limit = parse.GetValue(limit), Strict = parse.GetValue(strict),
            };
            var d = evalTask.Describe(settings);
            TaskTokenCount? count = null;
            if (parse.GetValue(countTokens))
            {
                using var counting = TaskTokenCounter.CountingModel(TokenizerCatalog.Resolve(parse.GetValue(tokenizer)!), parse.GetValue(contextLength));
                count = TaskTokenCounter.Count(counting, evalTask, settings);
            }
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(count is null ? JsonSerializer.Serialize(d, CliJson.Options)
                    : JsonSerializer.Serialize(new { task = d, token_count = count }, CliJson.Options));
                return 0;
            }
            output.WriteLine($"task        {d.Name} ({d.Kind})");
            output.WriteLine($"about       {d.Description}");
            output.WriteLine($"data        {d.DataPath}");
            output.WriteLine($"splits      {string.Join(", ", d.DocumentsPerSplit.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
            output.WriteLine($"evaluated   {d.DocumentsPerGroup.Values.Sum():N0} documents in {d.DocumentsPerGroup.Count} group(s)");
            foreach (var (group, n) in d.DocumentsPerGroup.Take(60)) output.WriteLine($"  {group,-40} {n,6:N0}");
            // Planning for a tokenizer and context can skip documents no model that size can score (an answer longer
            // than the context): say how many are scored, so the count matches the run's n.
            if (count is not null && count.Documents != d.DocumentsPerGroup.Values.Sum())
                output.WriteLine($"scored      {count.Documents:N0} documents with tokenizer {parse.GetValue(tokenizer)} at context {parse.GetValue(contextLength):N0} " +
                                 $"({d.DocumentsPerGroup.Values.Sum() - count.Documents:N0} cannot be scored there: the run names them)");
            foreach (var w in d.Warnings) output.WriteLine($"warning     {w}");
            output.WriteLine("---- example prompt (between the lines) ----");
            output.WriteLine(d.ExamplePrompt);
            output.WriteLine("---- scored continuations ----");
            foreach (var c in d.ExampleContinuations) output.WriteLine(JsonSerializer.Serialize(c));
            if (count is not null)
                output.WriteLine($"tokens      a full run ({count.Documents:N0} documents, {count.ScoringRequests:N0} scoring requests; tokenizer {parse.GetValue(tokenizer)}, " +
                                 $"context {parse.GetValue(contextLength):N0}) computes {count.TokensWithoutReuse:N0} tokens without prefix reuse, " +
                                 $"{count.TokensWithReuse:N0} with it ({count.Saving:F2}x fewer; {count.PrefixesRun:N0} shared prefixes run once)" +
                                 (count.GenerationRequests > 0 ? $"; {count.GenerationRequests:N0} generation requests not counted" : ""));
            return 0;
        });
        return command;
    }
}
