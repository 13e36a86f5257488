namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tasks list` and `run` on task folders and configs with mistakes: the mistake is named, the rest still works.</summary>
public class TaskListCommandTests
{
    [Fact]
    public void Tasks_list_names_a_bad_task_file_and_lists_the_good_ones()
    {
        string tasks = RepoPaths.Temp("tasks");
        File.WriteAllText(Path.Combine(tasks, "bad.task.json"), "{\"name\":123,\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        File.WriteAllText(Path.Combine(tasks, "d.jsonl"), "{\"query\":\"Q\",\"choices\":[\"a\",\"b\"],\"gold\":0}\n");
        File.WriteAllText(Path.Combine(tasks, "good.task.json"), "{\"name\":\"good\",\"kind\":\"multiple_choice\",\"data\":\"d.jsonl\"}");
        var list = CliRun.InProcess("tasks", "list", "--tasks-dir", tasks);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("good", list.Stdout);
        Assert.Contains("error: " + Path.Combine(tasks, "bad.task.json") + ": field 'name' must be a string, got 123", list.Stdout);
    }

    [Fact]
    public void Unknown_task_names_in_the_configs_task_settings_are_errors()
    {
        string dir = RepoPaths.Temp("cfg");
        string config = Path.Combine(dir, "eval.config.json");
        File.WriteAllText(config, $$"""
            { "models": [{ "model": "stories260K" }], "tasks": ["arc_easy"], "tasks_dir": "{{RepoPaths.Tasks.Replace("\\", "/")}}",
              "output": "out", "cache": null, "task_settings": { "arc_easy": { "limit": 2 }, "arc_eesy": { "limit": 2 } } }
            """);
        var run = CliRun.InProcess("run", "--config", config);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("task_settings names unknown task(s) arc_eesy", run.Stderr);
    }
}
