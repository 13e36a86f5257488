using SmallLlm.Eval.Models;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Tests.Tasks;

/// <summary>A kind that lives only in this test assembly: loading the assembly as a plugin must make it available.</summary>
public sealed class EchoTaskKind : ITaskKind
{
    public string Kind => "echo_test_kind";
    public IEvalTask Create(TaskDefinition definition) => new EchoTask(definition.Name);

    private sealed class EchoTask(string name) : IEvalTask
    {
        public string Name => name;
        public string Version => "1";
        public string Description => "test";
        public TaskDescription Describe(TaskSettings settings) => throw new InvalidOperationException();
        public TaskPlan Plan(ILanguageModel model, TaskSettings settings) => throw new InvalidOperationException();
    }
}

public class TaskRegistryTests
{
    [Fact]
    public void Bundled_tasks_are_found_with_their_kinds()
    {
        var registry = TaskRegistry.Load(RepoPaths.Tasks);
        var names = registry.Definitions.Select(d => d.Name).ToList();
        Assert.Contains("mmlu", names);
        Assert.Contains("arc_easy", names);
        Assert.Contains("piqa", names);
        Assert.Contains("mmlu", registry.Kinds);
        Assert.Contains("multiple_choice", registry.Kinds);
        Assert.Equal("mmlu", registry.Create("mmlu").Name);
    }

    [Fact]
    public void Unknown_task_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => TaskRegistry.Load(RepoPaths.Tasks).Create("mmlu_pro"));
        Assert.Contains("unknown task 'mmlu_pro'", e.Message);
        Assert.Contains("arc_easy", e.Message);
    }

    [Fact]
    public void Kinds_from_plugin_assemblies_are_loaded_and_unknown_kinds_named()
    {
        string tasks = RepoPaths.Temp("tasks"), plugins = RepoPaths.Temp("plugins");
        File.WriteAllText(Path.Combine(tasks, "echo.task.json"), "{\"name\":\"echo\",\"kind\":\"echo_test_kind\"}");
        var without = TaskRegistry.Load(tasks, pluginsDirectory: null);
        var e = Assert.Throws<InvalidDataException>(() => without.Create("echo"));
        Assert.Contains("kind 'echo_test_kind' is not known", e.Message);

        File.Copy(typeof(EchoTaskKind).Assembly.Location, Path.Combine(plugins, "EchoPlugin.dll"));
        var with = TaskRegistry.Load(tasks, plugins);
        Assert.Equal("echo", with.Create("echo").Name);
    }

    [Fact]
    public void Definition_without_kind_is_rejected()
    {
        string tasks = RepoPaths.Temp("tasks");
        File.WriteAllText(Path.Combine(tasks, "bad.task.json"), "{\"name\":\"bad\"}");
        var e = Assert.Throws<InvalidDataException>(() => TaskRegistry.Load(tasks).Create("bad"));
        Assert.Contains("bad.task.json: missing field 'kind'", e.Message);
    }

    [Theory]
    [InlineData("{\"name\":123,\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}", "field 'name' must be a string, got 123")]
    [InlineData("{\"name\":\"bad\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\",\"num_fewshot\":\"five\"}", "field 'num_fewshot' must be an integer of at least 0, got \"five\"")]
    [InlineData("{\"name\":\"bad\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\",\"context_templat\":\"{query}\"}", "unknown field 'context_templat' for kind 'multiple_choice'")]
    [InlineData("{\"name\":\"bad\",\"kind\":\"mmlu\",\"data\":\"data\",\"eval_split\":[1]}", "field 'eval_split' must be a string, got [1]")]
    [InlineData("{\"name\":\"bad\",\"kind\":\"code_completion\",\"data\":\"d.jsonl\",\"allow_code_execution\":true}", "'allow_code_execution': running model-written code is allowed only by the --allow-code-execution flag")]
    public void A_bad_task_file_names_file_and_field_and_leaves_the_other_tasks_usable(string json, string expected)
    {
        string tasks = RepoPaths.Temp("tasks");
        File.WriteAllText(Path.Combine(tasks, "bad.task.json"), json);
        File.WriteAllText(Path.Combine(tasks, "d.jsonl"), "{\"query\":\"Q\",\"choices\":[\"a\",\"b\"],\"gold\":0}\n");
        File.WriteAllText(Path.Combine(tasks, "good.task.json"), "{\"name\":\"good\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        var registry = TaskRegistry.Load(tasks);
        Assert.Equal(["good"], registry.Definitions.Select(d => d.Name));
        Assert.Contains(registry.Problems, p => p.Contains("bad.task.json: " + expected));
        Assert.Equal(2, registry.Create("good").Describe(new TaskSettings()).DocumentsPerSplit["test"] + 1);
        if (json.Contains("\"bad\""))
            Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => registry.Create("bad")).Message);
    }

    [Fact]
    public void A_context_template_naming_a_field_the_data_lacks_is_an_error()
    {
        string tasks = RepoPaths.Temp("tasks");
        File.WriteAllText(Path.Combine(tasks, "d.jsonl"), "{\"query\":\"Q\",\"choices\":[\"a\",\"b\"],\"gold\":0}\n");
        File.WriteAllText(Path.Combine(tasks, "t.task.json"), "{\"name\":\"t\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\",\"context_template\":\"{question}\\nAnswer:\"}");
        var e = Assert.Throws<InvalidDataException>(() => TaskRegistry.Load(tasks).Create("t").Describe(new TaskSettings()));
        Assert.Contains("t.task.json: context_template names field 'question'", e.Message);
        Assert.Contains("it has {query}", e.Message);
    }
}
